package io.gpubroker.session.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The broker API's session metrics; the active-sessions gauge is read from the database, never counted up and down. */
@ApplicationScoped
public class SessionMetrics {
    private final MeterRegistry registry;
    private final MultiGauge active;
    /** Every provider and status the gauge has had a row for (this process). */
    private final java.util.Set<Tags> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final Timer sshVerify;

    public SessionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.active = MultiGauge.builder("gpu_sessions_active")
                .description("Sessions by provider and status (from the database)")
                .register(registry);
        // buckets, so dashboards and alerts can take quantiles over every replica (histogram_quantile)
        this.sshVerify = Timer.builder("gpu_ssh_verify_duration_seconds")
                .description("SSH verification attempts")
                .serviceLevelObjectives(
                        Duration.ofMillis(250),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(120))
                .register(registry);
        Counter.builder("gpu_orphans_detected_total").register(registry);
        Counter.builder("gpu_destroy_failures_total").register(registry);
        Counter.builder("gpu_ssh_verify_failures_total").register(registry);
    }

    /** A row of the active-sessions gauge. */
    public record ActiveRow(String provider, String status, long count) {}

    /**
     * Replaces the gauge's rows. A provider and status seen before but without sessions now reads 0
     * rather than vanishing, so "no running sessions" is a value, not a gap in every graph.
     */
    public void setActive(List<ActiveRow> rows) {
        List<MultiGauge.Row<?>> out = new ArrayList<>();
        java.util.Set<Tags> now = new java.util.HashSet<>();
        for (ActiveRow r : rows) {
            Tags t = Tags.of("provider", r.provider(), "status", r.status());
            now.add(t);
            seen.add(t);
            out.add(MultiGauge.Row.of(t, r.count()));
        }
        for (Tags t : seen) {
            if (!now.contains(t)) {
                out.add(MultiGauge.Row.of(t, 0));
            }
        }
        active.register(out, true);
    }

    public void orphanDetected(String provider) {
        registry.counter("gpu_orphans_detected_total").increment();
        registry.counter("gpu_orphans_detected_by_provider_total", "provider", provider)
                .increment();
    }

    /** An instance created for nobody (an earlier attempt's, or after its session ended), destroyed on arrival. */
    public void unwantedInstance(String provider) {
        registry.counter("gpu_unwanted_instances_total", "provider", provider).increment();
    }

    public void destroyFailed(String provider) {
        registry.counter("gpu_destroy_failures_total").increment();
        registry.counter("gpu_destroy_failures_by_provider_total", "provider", provider)
                .increment();
    }

    public void verifyFailed(String provider, String why) {
        registry.counter("gpu_ssh_verify_failures_total").increment();
        registry.counter("gpu_ssh_verify_failures_by_reason_total", "provider", provider, "reason", why)
                .increment();
    }

    public void created(String provider) {
        registry.counter("gpu_sessions_created_total", "provider", provider).increment();
    }

    public void ended(String provider, String status, String reason) {
        registry.counter(
                        "gpu_sessions_ended_total",
                        "provider",
                        provider,
                        "status",
                        status,
                        "reason",
                        reason == null ? "unknown" : reason.replaceAll("[^a-z_:]", ""))
                .increment();
    }

    /** Request to running, in broker-clock seconds (a provider's boot as the session saw it, at any clock scale). */
    public void provisioned(String provider, double seconds) {
        io.micrometer.core.instrument.DistributionSummary.builder("gpu_session_provisioning_seconds")
                .description("seconds from a session's request to running (broker clock)")
                .tag("provider", provider)
                .serviceLevelObjectives(10, 30, 60, 120, 300, 600, 1200)
                .register(registry)
                .record(Math.max(0, seconds));
    }

    /** How late an expiry or hard-max stop was decided after its due time (real seconds). */
    public void expiryLag(String reason, double realSeconds) {
        io.micrometer.core.instrument.DistributionSummary.builder("gpu_session_expiry_lag_seconds")
                .description("real seconds between a lease's due time and the stop decision")
                .tag("reason", reason)
                .publishPercentiles(0.5, 0.9, 0.99)
                .register(registry)
                .record(realSeconds);
    }

    public Timer sshVerifyTimer() {
        return sshVerify;
    }
}
