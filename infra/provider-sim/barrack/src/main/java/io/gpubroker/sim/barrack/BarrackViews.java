package io.gpubroker.sim.barrack;

import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Renders a VM as Barrack's instance JSON (billing breakdown, specs, IP and port map). */
final class BarrackViews {

    private BarrackViews() {}

    static BarrackApi.Instance view(BarrackInstance i) {
        var billing = new BarrackApi.Billing(
                new BarrackApi.Breakdown(
                        new BarrackApi.Compute(new BarrackApi.Gpu(i.model.name(), i.gpuCount, i.gpuHourlyRate)),
                        new BarrackApi.Storage(
                                new BarrackApi.OsVolume(i.osVolumeGb, i.osVolumeType, i.osVolumeRate),
                                i.dataVolumes,
                                i.dataVolumesRate)),
                i.pricePerHour.doubleValue(),
                "USD");
        int storage = i.osVolumeGb
                + i.dataVolumes.stream()
                        .mapToInt(v -> (Integer) v.get("size_gb"))
                        .sum();
        var specs = new BarrackApi.Specs(
                i.model.name(),
                i.gpuCount,
                i.model.ramGbPerGpu() * i.gpuCount,
                i.model.vcpusPerGpu() * i.gpuCount,
                storage);
        Integer sshPort = i.ipAddress != null && i.ssh != null ? i.ssh.port() : null;
        Map<String, Integer> portMap = new LinkedHashMap<>();
        if (i.apps != null) {
            i.apps.published().forEach((vm, ext) -> portMap.put(String.valueOf(vm), ext));
        }
        return new BarrackApi.Instance(
                i.id,
                i.vmName,
                i.region.name(),
                i.ipAddress,
                i.ipStatus,
                sshPort,
                portMap,
                billing,
                specs,
                i.state,
                i.bootSource,
                i.operatingSystem,
                new BarrackApi.Features(i.startupScript),
                i.createdAt.truncatedTo(ChronoUnit.SECONDS).toString(),
                i.sshKeyName,
                i.securityRules);
    }
}
