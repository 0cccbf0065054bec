package io.gpubroker.kit.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Outbox lag as Debezium sees it: for every outbox replication slot, {@code gpu_outbox_slot_lag_bytes{slot}}
 * (WAL written but not yet confirmed by the connector, i.e. events not yet on Kafka) and
 * {@code gpu_outbox_slot_active{slot}} (1 while a connector reads it). The slots are the database's,
 * not one service's, so one service turns this on ({@code broker.metrics.outbox-slots=true}:
 * session-service); each of its replicas reports the same values, which queries take the max of.
 */
@ApplicationScoped
public class OutboxSlotMetrics {
    private static final Logger LOG = Logger.getLogger(OutboxSlotMetrics.class);

    private final OutboxSlotRepository slots;
    private final boolean enabled;
    private final MultiGauge lag;
    private final MultiGauge active;

    public OutboxSlotMetrics(
            OutboxSlotRepository slots,
            MeterRegistry registry,
            @ConfigProperty(name = "broker.metrics.outbox-slots", defaultValue = "false") boolean enabled) {
        this.slots = slots;
        this.enabled = enabled;
        this.lag = MultiGauge.builder("gpu_outbox_slot_lag_bytes")
                .description("WAL bytes the outbox connector has not confirmed")
                .register(registry);
        this.active = MultiGauge.builder("gpu_outbox_slot_active")
                .description("1 while a Debezium connector reads the outbox slot")
                .register(registry);
    }

    @Scheduled(
            identity = "broker-outbox-slot-metrics",
            every = "${broker.metrics.outbox-slots-every:15s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        if (!enabled) {
            return Uni.createFrom().voidItem();
        }
        return slots.slots()
                .invoke(list -> {
                    lag.register(
                            list.stream()
                                    .map(s -> MultiGauge.Row.of(Tags.of("slot", s.name()), s.lagBytes()))
                                    .toList(),
                            true);
                    active.register(
                            list.stream()
                                    .map(s -> MultiGauge.Row.of(Tags.of("slot", s.name()), s.active() ? 1 : 0))
                                    .toList(),
                            true);
                })
                .onFailure()
                .invoke(e -> LOG.debugf("outbox slot metrics not read: %s", e.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }
}
