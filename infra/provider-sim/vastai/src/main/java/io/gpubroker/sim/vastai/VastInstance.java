package io.gpubroker.sim.vastai;

import io.gpubroker.sim.core.SimInstance;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rented Vast container. {@link #state} holds {@code actual_status} (null while scheduling);
 * the other Vast status fields live here. Event-loop confined.
 */
final class VastInstance extends SimInstance {

    /** An SSH key attached to this instance; {@code active} once it has propagated to the host. */
    static final class Key {
        final long id;
        final String publicKey;
        boolean active;

        Key(long id, String publicKey) {
            this.id = id;
            this.publicKey = publicKey;
        }
    }

    final long numericId;
    final VastOffers.Machine machine;
    final String image;
    final String runtype;
    final String templateHashId;
    final int disk;
    final String onstart;
    final Map<String, String> env;
    final boolean bid;
    final double storagePerHour;
    final List<Key> keys = new ArrayList<>();
    /**
     * Container ports published with {@code -p} in env: container port to the external port, a real
     * loopback port where the instance's app answers once it runs (see {@code VastAiSim#startApps}).
     */
    final Map<String, Integer> extraPorts = new LinkedHashMap<>();
    /** The create call's {@code args} (container arguments; what {@code runtype: args} runs). */
    List<String> args = List.of();

    String intendedStatus = "running";
    String curState = "running";
    String nextState = "running";
    String statusMsg;
    Integer sshPort;
    Instant destroyedAt;
    boolean holdsSlot;
    /** Bumped by every state command so timers of an earlier phase do nothing. */
    int generation;

    VastInstance(
            long id,
            String label,
            BigDecimal pricePerHour,
            Instant createdAt,
            VastOffers.Machine machine,
            String image,
            String runtype,
            String templateHashId,
            int disk,
            String onstart,
            Map<String, String> env,
            boolean bid) {
        super(String.valueOf(id), label, null, pricePerHour, createdAt, machine.seed.gpuSpec());
        this.numericId = id;
        this.machine = machine;
        this.image = image;
        this.runtype = runtype;
        this.templateHashId = templateHashId;
        this.disk = disk;
        this.onstart = onstart;
        this.env = env;
        this.bid = bid;
        this.storagePerHour = machine.storagePerHour(disk);
    }

    /** Share of the price billed while only the disk is charged (stopped, exited). */
    double storageFraction() {
        return pricePerHour.signum() == 0 ? 0 : storagePerHour / pricePerHour.doubleValue();
    }

    boolean hasSsh() {
        return !"args".equals(runtype);
    }

    /** The instance object of {@code GET /instances/{id}/} and the v1 list. */
    Map<String, Object> view(Instant now) {
        var s = machine.seed;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", numericId);
        m.put("machine_id", s.machineId());
        m.put("host_id", machine.hostId);
        m.put("actual_status", state);
        m.put("intended_status", intendedStatus);
        m.put("cur_state", curState);
        m.put("next_state", nextState);
        m.put("status_msg", statusMsg);
        m.put("label", tag);
        m.put("ssh_host", sshPort == null ? null : "127.0.0.1");
        m.put("ssh_port", sshPort);
        m.put("ssh_idx", sshPort == null ? null : "0");
        m.put("public_ipaddr", "127.0.0.1");
        Map<String, Object> ports = new LinkedHashMap<>();
        if (sshPort != null) {
            ports.put("22/tcp", List.of(binding(sshPort)));
        }
        extraPorts.forEach((p, host) -> ports.put(p + "/tcp", List.of(binding(host))));
        m.put("ports", ports);
        m.put("direct_port_start", sshPort == null ? null : sshPort);
        m.put("direct_port_end", sshPort == null ? null : sshPort + machine.directPorts);
        m.put("direct_port_count", machine.directPorts);
        m.put("gpu_name", machine.gpuName);
        m.put("num_gpus", s.gpuCount());
        m.put("gpu_ram", s.model().vramMib());
        m.put("gpu_totalram", s.model().vramMib() * s.gpuCount());
        m.put("gpu_util", null);
        m.put("cpu_cores_effective", s.vcpus());
        m.put("cpu_ram", s.ramGb() * 1024);
        m.put("cuda_max_good", s.cudaMaxGood());
        m.put("driver_version", s.driverVersion());
        m.put("compute_cap", machine.computeCap);
        m.put("reliability2", s.reliability());
        m.put("dph_base", pricePerHour.doubleValue() - storagePerHour);
        m.put("dph_total", pricePerHour.doubleValue());
        m.put("storage_cost", machine.storageCost);
        m.put("is_bid", bid);
        m.put("start_date", createdAt.toEpochMilli() / 1000.0);
        m.put("end_date", machine.endDate);
        m.put("duration", (double) Math.max(0, machine.endDate - now.getEpochSecond()));
        m.put("image_uuid", image);
        m.put("image_runtype", runtype);
        m.put("image_args", args);
        m.put("onstart", onstart);
        m.put("template_hash_id", templateHashId);
        List<List<String>> extraEnv = new ArrayList<>();
        env.forEach((k, v) -> {
            if (!k.startsWith("-")) {
                extraEnv.add(List.of(k, v));
            }
        });
        m.put("extra_env", extraEnv);
        m.put("disk_space", disk);
        m.put("geolocation", machine.geolocation);
        m.put("inet_up", machine.inetUp);
        m.put("inet_down", machine.inetDown);
        return m;
    }

    private static Map<String, String> binding(int port) {
        return Map.of("HostIp", "0.0.0.0", "HostPort", String.valueOf(port));
    }

    /** Field accessor for v1 {@code select_filters}. */
    Object field(String name, Instant now) {
        Map<String, Object> v = view(now);
        return v.containsKey(name) ? v.get(name) : VastQuery.UNKNOWN;
    }

    @Override
    public Map<String, Object> controlView(Instant now) {
        Map<String, Object> m = super.controlView(now);
        m.put("intended_status", intendedStatus);
        m.put("cur_state", curState);
        m.put("machine_id", machine.seed.machineId());
        m.put("attached_keys", keys.size());
        return m;
    }
}
