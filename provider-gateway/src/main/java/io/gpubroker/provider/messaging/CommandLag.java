package io.gpubroker.provider.messaging;

import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.provider.config.GatewayConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * How long commands wait in {@code provisioning.requests} before this gateway takes them, in real
 * time (provider rate limits and this queue run on real time whatever the broker clock's speed).
 * A growing lag is reported — metric, warning, /providers — long before a create's deadline passes,
 * so operators see a slow gateway before any session is given up on.
 */
@ApplicationScoped
public class CommandLag {
    private static final Logger LOG = Logger.getLogger(CommandLag.class);

    private final MeterRegistry registry;
    private final BrokerClock.Scaled clock;
    private final Duration warnAfter;
    private final Map<String, AtomicLong> lastLagMs = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastWarnAt = new ConcurrentHashMap<>();

    public CommandLag(MeterRegistry registry, BrokerClock.Scaled clock, GatewayConfig.Commands config) {
        this.registry = registry;
        this.clock = clock;
        this.warnAfter = config.lagWarn();
    }

    /** Records that a {@code command} for {@code provider} requested at {@code requestedAt} is taken now. */
    public Duration taken(String provider, String command, Instant requestedAt) {
        long lagMs = Math.max(0, clock.realMillis(Duration.between(requestedAt, clock.instant())));
        if (requestedAt.isAfter(clock.instant())) {
            lagMs = 0;
        }
        Timer.builder("gpu_gateway_command_lag_seconds")
                .description("real time a command waited before the gateway took it")
                .tag("provider", provider)
                .tag("command", command)
                .register(registry)
                .record(lagMs, TimeUnit.MILLISECONDS);
        lastLag(provider).set(lagMs);
        if (lagMs >= warnAfter.toMillis()) {
            long now = System.currentTimeMillis();
            AtomicLong last = lastWarnAt.computeIfAbsent(provider, p -> new AtomicLong());
            long prev = last.get();
            if (now - prev >= 10_000 && last.compareAndSet(prev, now)) {
                LOG.warnf(
                        "%s commands wait %.1f s before this gateway takes them (warning at %d s): creates near their"
                                + " deadline will be dropped as expired; add gateway capacity or lower the load",
                        provider, lagMs / 1000.0, warnAfter.toSeconds());
            }
        }
        return Duration.ofMillis(lagMs);
    }

    /** A command dropped because its deadline passed before it was taken. */
    public void expired(String provider, String command) {
        registry.counter("gpu_gateway_commands_expired_total", "provider", provider, "command", command)
                .increment();
    }

    /** The lag of the last command taken for {@code provider}, in real seconds. */
    public double lastLagSeconds(String provider) {
        return lastLag(provider).get() / 1000.0;
    }

    private AtomicLong lastLag(String provider) {
        return lastLagMs.computeIfAbsent(provider, p -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("gpu_gateway_command_lag_last_seconds", v, x -> x.get() / 1000.0)
                    .tag("provider", p)
                    .register(registry);
            return v;
        });
    }
}
