package io.gpubroker.gateway.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code broker.events.*}: the live event stream ({@code GET /api/v1/events}) of this gateway replica. */
@ConfigMapping(prefix = "broker.events")
public interface EventsConfig {

    /** A comment line after this much silence, so proxies and load balancers keep an idle stream open. */
    @WithDefault("15s")
    Duration heartbeat();

    /** The {@code retry:} hint sent to clients: how long an EventSource waits before reconnecting. */
    @WithDefault("3s")
    Duration reconnectDelay();

    /** Open streams on this replica (each holds one Kafka consumer and one thread); beyond it, 503. */
    @WithDefault("200")
    int maxStreams();

    /** Open streams per consumer (the admin key counts as one) on this replica; beyond it, 429. */
    @WithDefault("5")
    int maxStreamsPerConsumer();

    /** How long opening a stream waits for Kafka (partitions, offsets) before answering 503. */
    @WithDefault("5s")
    Duration kafkaTimeout();

    /** A client that does not take an event within this time is disconnected (it resumes with Last-Event-ID). */
    @WithDefault("30s")
    Duration sendTimeout();
}
