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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
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
import java.util.concurrent.atomic.AtomicInteger;
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
 * polls on the stream's own thread, filters by {@link EventFilter} and writes to the client,
 * waiting for each write: a slow client slows only its stream, never a buffer in memory.
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
     * Opens a stream positioned at the end of every partition, or at {@code resume}; blocking (it
     * asks Kafka). Refuses with 429/503 in the error shape before anything is streamed.
     */
    public Stream open(String owner, EventFilter filter, StreamPosition resume) {
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
        KafkaConsumer<String, String> consumer = null;
        try {
            consumer = new KafkaConsumer<>(consumerConfig());
            Positioned p = position(consumer, resume);
            return new Stream(owner, filter, consumer, p.position(), resume != null, p.truncated());
        } catch (ApiException e) {
            release(owner, consumer);
            throw e;
        } catch (RuntimeException e) {
            release(owner, consumer);
            LOG.warnf("cannot open an event stream: %s", e.toString());
            throw new ApiException(503, "the event stream is unavailable (Kafka did not answer): retry later");
        }
    }

    private void release(String owner, KafkaConsumer<String, String> consumer) {
        open.decrementAndGet();
        perConsumer.get(owner).decrementAndGet();
        if (consumer != null) {
            consumer.close(Duration.ZERO);
        }
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

    /** Hands {@code stream} to its own thread, which writes to {@code sink} until either side ends. */
    public void start(Stream stream, SseEventSink sink, Sse sse) {
        streams.add(stream);
        threads.execute(() -> stream.run(sink, sse));
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

    /** Open streams on this replica (for tests and the gauge). */
    public int openStreams() {
        return open.get();
    }

    /** One client's stream: its consumer, filter and position. */
    public final class Stream {
        private final String owner;
        private final EventFilter filter;
        private final KafkaConsumer<String, String> consumer;
        private final StreamPosition position;
        private final boolean resumed;
        private final boolean truncated;
        private volatile boolean stopped;

        private Stream(
                String owner,
                EventFilter filter,
                KafkaConsumer<String, String> consumer,
                StreamPosition position,
                boolean resumed,
                boolean truncated) {
            this.owner = owner;
            this.filter = filter;
            this.consumer = consumer;
            this.position = position;
            this.resumed = resumed;
            this.truncated = truncated;
        }

        void stop() {
            stopped = true;
            consumer.wakeup();
        }

        private void run(SseEventSink sink, Sse sse) {
            try {
                send(
                        sink,
                        sse.newEventBuilder()
                                .name("ready")
                                .id(position.encode())
                                .reconnectDelay(config.reconnectDelay().toMillis())
                                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                                .data(
                                        String.class,
                                        json(new StreamOpened(
                                                filter.consumerId(), filter.sessionId(), resumed, truncated)))
                                .build());
                long quietSince = System.nanoTime();
                while (!stopped && !sink.isClosed()) {
                    for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        position.examined(tp, r.offset());
                        StreamedEvent e = decode(r);
                        if (e != null && filter.matches(e.payload())) {
                            send(
                                    sink,
                                    sse.newEventBuilder()
                                            .name(eventName(e.type()))
                                            .id(position.encode())
                                            .mediaType(MediaType.APPLICATION_JSON_TYPE)
                                            .data(String.class, json(e))
                                            .build());
                            sent.increment();
                            quietSince = System.nanoTime();
                        }
                    }
                    if (System.nanoTime() - quietSince >= config.heartbeat().toNanos()) {
                        send(sink, sse.newEventBuilder().comment("heartbeat").build());
                        quietSince = System.nanoTime();
                    }
                }
            } catch (WakeupException e) {
                // stopped by shutdown
            } catch (Exception e) {
                // the client went away (or stalled past send-timeout): it resumes with Last-Event-ID
                LOG.debugf("event stream of %s ended: %s", owner, e.toString());
            } finally {
                streams.remove(this);
                consumer.close(Duration.ZERO);
                if (!sink.isClosed()) {
                    sink.close();
                }
                open.decrementAndGet();
                perConsumer.get(owner).decrementAndGet();
            }
        }

        private void send(SseEventSink sink, OutboundSseEvent event) throws Exception {
            sink.send(event).toCompletableFuture().get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
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
