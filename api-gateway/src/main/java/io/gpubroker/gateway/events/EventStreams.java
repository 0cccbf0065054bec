package io.gpubroker.gateway.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.Topics;
import io.gpubroker.kit.rest.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The live event streams of this replica. Each stream owns a Kafka consumer with no group: it is
 * assigned every partition of session.events, cost.events and budget.events and reads them all
 * itself, so N gateway replicas each see every event (a shared group would split them) and a
 * stream's position is its own, carried in the SSE event id ({@link StreamPosition}). The consumer
 * polls on the stream's own thread, filters by {@link EventFilter} and hands the client one frame
 * at a time as it is written: a slow client slows only its stream, never a buffer in memory.
 */
@ApplicationScoped
public class EventStreams {
    private static final Logger LOG = Logger.getLogger(EventStreams.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final java.util.regex.Pattern EVENT_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final EventsConfig config;
    private final Map<String, Object> kafka;
    private final ObjectMapper mapper;
    private final Counter sent;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> perConsumer = new ConcurrentHashMap<>();
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadSeq = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "event-stream-" + threadSeq.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    public EventStreams(
            EventsConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            ObjectMapper mapper,
            MeterRegistry metrics) {
        this.config = config;
        this.kafka = kafka;
        this.mapper = mapper;
        this.sent = metrics.counter("gateway_events_sent_total");
        metrics.gauge("gateway_event_streams", open);
    }

    /**
     * Takes a place for a stream of {@code owner} (a consumer, or the admin key): refused with 429
     * or 503 in the error shape, before anything is written, when this replica has no room.
     */
    public Stream reserve(String owner, EventFilter filter, StreamPosition resume, String requestId) {
        if (stopping) {
            throw new ApiException(503, "the gateway is shutting down: reconnect to another replica");
        }
        AtomicInteger mine = perConsumer.computeIfAbsent(owner, o -> new AtomicInteger());
        if (mine.incrementAndGet() > config.maxStreamsPerConsumer()) {
            mine.decrementAndGet();
            throw new ApiException(
                    429,
                    "at most " + config.maxStreamsPerConsumer() + " open event streams per consumer on one gateway");
        }
        if (open.incrementAndGet() > config.maxStreams()) {
            open.decrementAndGet();
            mine.decrementAndGet();
            throw new ApiException(503, "this gateway has too many open event streams: retry later");
        }
        return new Stream(owner, filter, resume, requestId);
    }

    private Properties consumerConfig() {
        Properties p = new Properties();
        // the channels' shared client settings (bootstrap servers, security: every KAFKA_X_Y)
        p.putAll(kafka);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-events-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // only when a position is gone between our clamp and the fetch (retention ran): the oldest kept
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        p.put(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                Long.toString(config.kafkaTimeout().toMillis()));
        return p;
    }

    private record Positioned(StreamPosition position, boolean truncated) {}

    /**
     * Assigns every partition and seeks. A resumed partition goes to the id's offset, clamped into
     * what Kafka still holds; a partition the id does not name was added after the id was minted,
     * so all of it is new to the client: from its beginning.
     */
    private Positioned position(KafkaConsumer<String, String> consumer, StreamPosition resume) {
        Duration timeout = config.kafkaTimeout();
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : StreamPosition.TOPICS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " has no partitions");
            }
            infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(parts);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
        Map<TopicPartition, Long> next = new HashMap<>();
        boolean truncated = false;
        for (TopicPartition tp : parts) {
            long offset;
            if (resume == null) {
                offset = end.get(tp);
            } else {
                Long asked = resume.next(tp);
                offset = asked == null ? begin.get(tp) : Math.min(asked, end.get(tp));
                if (offset < begin.get(tp)) {
                    truncated = true;
                    offset = begin.get(tp);
                }
            }
            consumer.seek(tp, offset);
            next.put(tp, offset);
        }
        return new Positioned(StreamPosition.of(next), truncated);
    }

    void onStop(@Observes ShutdownEvent ev) {
        stopping = true;
        streams.forEach(Stream::stop);
        threads.shutdown();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The stream ended from the client's side (left, or too slow): not an error. */
    private static final class Gone extends RuntimeException {
        Gone() {
            super(null, null, false, false);
        }
    }

    /** Open streams on this replica (for tests and the gauge). */
    public int openStreams() {
        return open.get();
    }

    /** One client's stream: its filter, and once open its consumer and position. */
    public final class Stream {
        private final String owner;
        private final EventFilter filter;
        private final StreamPosition resume;
        private final String requestId;
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile KafkaConsumer<String, String> consumer;
        private StreamPosition position;
        private volatile boolean stopped;

        private Stream(String owner, EventFilter filter, StreamPosition resume, String requestId) {
            this.owner = owner;
            this.filter = filter;
            this.resume = resume;
            this.requestId = requestId;
        }

        void stop() {
            stopped = true;
            KafkaConsumer<String, String> c = consumer;
            if (c != null) {
                try {
                    c.wakeup();
                } catch (RuntimeException e) {
                    // already closed by its own thread
                }
            }
        }

        /**
         * The stream's frames, produced on the stream's own thread: it opens the Kafka consumer
         * (blocking), then polls, and emits a frame only when the HTTP side asked for one (it asks
         * again once the previous frame is written), so a slow client slows its own consumer and
         * no buffer grows. Cancelling (the client left) stops it.
         */
        public Multi<OutboundSseEvent> events(Sse sse) {
            return Multi.createFrom().emitter(em -> {
                em.onTermination(this::stop);
                streams.add(this);
                try {
                    threads.execute(() -> run(em, sse));
                } catch (RuntimeException e) {
                    // the pool is shut down: the gateway is stopping
                    release();
                    em.complete();
                }
            });
        }

        private void run(MultiEmitter<? super OutboundSseEvent> em, Sse sse) {
            try {
                boolean truncated;
                try {
                    consumer = new KafkaConsumer<>(consumerConfig());
                    Positioned p = position(consumer, resume);
                    position = p.position();
                    truncated = p.truncated();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // the status line is already written (a stream's headers leave at once): say it in the stream
                    LOG.warnf("cannot open an event stream: %s", e.toString());
                    emit(
                            em,
                            sse.newEventBuilder()
                                    .name("error")
                                    .data(
                                            String.class,
                                            json(Map.of(
                                                    "error",
                                                    "the event stream is unavailable (Kafka did not answer): retry later",
                                                    "request_id",
                                                    requestId)))
                                    .build());
                    return;
                }
                emit(
                        em,
                        sse.newEventBuilder()
                                .name("ready")
                                .id(position.encode())
                                .reconnectDelay(config.reconnectDelay().toMillis())
                                .data(
                                        String.class,
                                        json(new StreamOpened(
                                                filter.consumerId(), filter.sessionId(), resume != null, truncated)))
                                .build());
                long quietSince = System.nanoTime();
                while (!stopped) {
                    for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        position.examined(tp, r.offset());
                        StreamedEvent e = decode(r);
                        if (e != null && filter.matches(e.payload())) {
                            emit(
                                    em,
                                    sse.newEventBuilder()
                                            .name(eventName(e.type()))
                                            .id(position.encode())
                                            .data(String.class, json(e))
                                            .build());
                            sent.increment();
                            quietSince = System.nanoTime();
                        }
                    }
                    if (System.nanoTime() - quietSince >= config.heartbeat().toNanos()) {
                        emit(em, sse.newEventBuilder().comment("heartbeat").build());
                        quietSince = System.nanoTime();
                    }
                }
            } catch (WakeupException | Gone e) {
                // stopped: the client left, or the gateway shuts down
            } catch (RuntimeException e) {
                LOG.warnf("event stream of %s failed: %s", owner, e.toString());
            } finally {
                release();
                em.complete();
            }
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                streams.remove(this);
                KafkaConsumer<String, String> c = consumer;
                if (c != null) {
                    c.close(Duration.ZERO);
                }
                open.decrementAndGet();
                perConsumer.get(owner).decrementAndGet();
            }
        }

        /** Emits once the client side asked for a frame; a client stuck past send-timeout is dropped. */
        private void emit(MultiEmitter<? super OutboundSseEvent> em, OutboundSseEvent event) {
            long deadline = System.nanoTime() + config.sendTimeout().toNanos();
            while (em.requested() <= 0) {
                if (stopped || em.isCancelled()) {
                    throw new Gone();
                }
                if (System.nanoTime() > deadline) {
                    LOG.debugf(
                            "event stream of %s dropped: the client took nothing for %s", owner, config.sendTimeout());
                    throw new Gone();
                }
                LockSupport.parkNanos(2_000_000);
            }
            if (stopped || em.isCancelled()) {
                throw new Gone();
            }
            em.emit(event);
        }

        /** The record as an SSE payload, or null when its value is not JSON (never streamed). */
        private StreamedEvent decode(ConsumerRecord<String, String> r) {
            if (r.value() == null) {
                return null;
            }
            try {
                JsonNode payload = mapper.readTree(r.value());
                if (!payload.isObject()) {
                    return null;
                }
                return new StreamedEvent(
                        header(r, Topics.HEADER_EVENT_ID),
                        header(r, Topics.HEADER_EVENT_TYPE),
                        r.topic(),
                        r.key(),
                        payload);
            } catch (JsonProcessingException e) {
                return null;
            }
        }
    }

    /** The SSE {@code event:} field: the event type, or the default name when a header is odd (never breaks framing). */
    static String eventName(String type) {
        return type != null && EVENT_NAME.matcher(type).matches() ? type : "message";
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
