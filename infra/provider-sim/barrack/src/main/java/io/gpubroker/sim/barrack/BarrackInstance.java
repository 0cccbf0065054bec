package io.gpubroker.sim.barrack;

import io.gpubroker.sim.core.SimInstance;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Barrack VM: the deploy request's choices plus native status, public IP state and billing records. */
final class BarrackInstance extends SimInstance {

    /** One stretch of billing at a constant rate; {@code end == null} while open. */
    static final class Segment {
        final String status;
        final BigDecimal hourlyRate;
        final Instant start;
        Instant end;

        Segment(String status, BigDecimal hourlyRate, Instant start) {
            this.status = status;
            this.hourlyRate = hourlyRate;
            this.start = start;
        }

        BigDecimal cost(Instant now) {
            long ms =
                    Math.max(0, Duration.between(start, end != null ? end : now).toMillis());
            return hourlyRate
                    .multiply(BigDecimal.valueOf(ms))
                    .divide(BigDecimal.valueOf(3_600_000L), 6, java.math.RoundingMode.HALF_UP);
        }
    }

    final String vmName;
    final BarrackCatalog.Region region;
    final BarrackCatalog.Model model;
    final int gpuCount;
    final double gpuHourlyRate;
    final int osVolumeGb;
    final String osVolumeType;
    final double osVolumeRate;
    final List<Map<String, Object>> dataVolumes;
    final double dataVolumesRate;
    final String bootSource;
    final String operatingSystem;
    final String sshKeyName;
    final List<Object> securityRules;
    final boolean startupScript;
    final List<Segment> segments = new ArrayList<>();
    /** Public keys to install when the VM boots (the registered key, cloud-init keys). */
    final List<String> keys = new ArrayList<>();

    boolean publicIp;
    String ipStatus;
    String ipAddress;
    /** Whether the VM currently holds a unit of its region/model/count stock. */
    boolean holdsCapacity;
    /** Past DELETING: answers 404 and is absent from the list. */
    boolean gone;
    /** Bumped on every transition so timers scheduled for an earlier state do nothing. */
    int epoch;

    BarrackInstance(
            String id,
            String tag,
            String vmName,
            BarrackCatalog.Region region,
            BarrackCatalog.Model model,
            int gpuCount,
            double gpuHourlyRate,
            int osVolumeGb,
            String osVolumeType,
            double osVolumeRate,
            List<Map<String, Object>> dataVolumes,
            double dataVolumesRate,
            String bootSource,
            String operatingSystem,
            String sshKeyName,
            List<Object> securityRules,
            boolean startupScript,
            boolean publicIp,
            Instant createdAt) {
        super(
                id,
                tag,
                "CREATING",
                BigDecimal.valueOf(gpuHourlyRate + osVolumeRate + dataVolumesRate)
                        .setScale(4, java.math.RoundingMode.HALF_UP),
                createdAt,
                model.gpuSpec(gpuCount));
        this.vmName = vmName;
        this.region = region;
        this.model = model;
        this.gpuCount = gpuCount;
        this.gpuHourlyRate = gpuHourlyRate;
        this.osVolumeGb = osVolumeGb;
        this.osVolumeType = osVolumeType;
        this.osVolumeRate = osVolumeRate;
        this.dataVolumes = dataVolumes;
        this.dataVolumesRate = dataVolumesRate;
        this.bootSource = bootSource;
        this.operatingSystem = operatingSystem;
        this.sshKeyName = sshKeyName;
        this.securityRules = securityRules;
        this.startupScript = startupScript;
        this.publicIp = publicIp;
        this.ipStatus = publicIp ? "pending" : "detached";
    }

    String stockKey() {
        return BarrackCatalog.key(region.name(), model.name(), gpuCount);
    }

    /** Bills at {@code fraction} of the price from now, recording the segment for the billing endpoint. */
    void charge(Instant now, double fraction) {
        closeSegment(now);
        if (fraction > 0) {
            bill(now, fraction);
            segments.add(new Segment(
                    state,
                    pricePerHour.multiply(BigDecimal.valueOf(fraction)).setScale(6, java.math.RoundingMode.HALF_UP),
                    now));
        } else {
            stopBilling(now);
        }
    }

    void closeSegment(Instant now) {
        if (!segments.isEmpty() && segments.get(segments.size() - 1).end == null) {
            segments.get(segments.size() - 1).end = now;
        }
    }
}
