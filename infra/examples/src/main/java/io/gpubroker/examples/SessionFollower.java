package io.gpubroker.examples;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An external Kafka subscriber, as a user of the broker would write one (docs/subscribers.md):
 * follows {@code session.events} and {@code cost.events} for one session or one consumer and
 * prints each session's lifecycle and cost. At-least-once: offsets are committed after a batch is
 * printed, so a crash re-reads it, and the {@code id} header dedups what was already printed.
 *
 * <pre>
 * ./mvnw -q -o -pl infra/examples exec:java -Dexec.args="--bootstrap 127.0.0.1:19092 --consumer team-a"
 * </pre>
 *
 * Options: {@code --session ID} or {@code --consumer ID} (one of them); {@code --since ISO-INSTANT}
 * or {@code --from-beginning} to replay, else the group's committed offsets, else only new events;
 * {@code --group NAME} (default a fresh one per run); {@code --exit-when-done} stops once every
 * session seen has ended and its final cost arrived; {@code --kafka key=value} adds a client setting
 * (security), repeatable.
 */
public final class SessionFollower implements AutoCloseable {
    public static final String SESSION_EVENTS = "session.events";
    public static final String COST_EVENTS = "cost.events";
    /** Remembered event ids: enough for any redelivery window of a batch; a real service keeps them with its effect. */
    private static final int DEDUP_CAPACITY = 100_000;

    /** What to follow and from where. */
    public record Options(
            String bootstrap,
            String sessionId,
            String consumerId,
            Instant since,
            boolean fromBeginning,
            String group,
            boolean exitWhenDone,
            Map<String, String> kafka) {

        public Options {
            if (bootstrap == null || bootstrap.isBlank()) {
                throw new IllegalArgumentException("--bootstrap host:port is required");
            }
            if ((sessionId == null) == (consumerId == null)) {
                throw new IllegalArgumentException("give exactly one of --session ID or --consumer ID");
            }
            group = group == null ? "session-follower-" + UUID.randomUUID() : group;
            kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
        }
    }

    /** One session as followed so far: its lifecycle (event types in arrival order) and cost. */
    public record Followed(
            String sessionId,
            List<String> lifecycle,
            BigDecimal total,
            String currency,
            boolean ended,
            boolean finalCost) {

        /** Done once it ended, and had its final cost if billing ever started. */
        public boolean done() {
            return ended && (finalCost || !lifecycle.contains(EventType.SessionStarted.name()));
        }
    }

    private final Options options;
    private final PrintStream out;
    private final KafkaConsumer<String, String> consumer;
    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > DEDUP_CAPACITY;
        }
    };
    private final Map<String, Followed> sessions = new LinkedHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private boolean subscribed;
    private int duplicates;

    public SessionFollower(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, options.group());
        // at least once: commit only what was printed
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, options.fromBeginning() ? "earliest" : "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.putAll(options.kafka());
        this.consumer = new KafkaConsumer<>(p);
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: SessionFollower --bootstrap HOST:PORT (--session ID | --consumer ID)"
                    + " [--since 2030-01-01T00:00:00Z | --from-beginning] [--group NAME] [--exit-when-done]"
                    + " [--kafka key=value]...");
            System.exit(2);
            return;
        }
        try (SessionFollower f = new SessionFollower(o, System.out)) {
            Runtime.getRuntime().addShutdownHook(new Thread(f::stop));
            f.run(null);
        }
    }

    static Options parse(String[] args) {
        String bootstrap = null;
        String session = null;
        String consumerId = null;
        Instant since = null;
        boolean fromBeginning = false;
        String group = null;
        boolean exit = false;
        Map<String, String> kafka = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--bootstrap" -> bootstrap = value(args, ++i, a);
                case "--session" -> session = value(args, ++i, a);
                case "--consumer" -> consumerId = value(args, ++i, a);
                case "--since" -> since = Instant.parse(value(args, ++i, a));
                case "--from-beginning" -> fromBeginning = true;
                case "--group" -> group = value(args, ++i, a);
                case "--exit-when-done" -> exit = true;
                case "--kafka" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--kafka needs key=value");
                    }
                    kafka.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new Options(bootstrap, session, consumerId, since, fromBeginning, group, exit, kafka);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /**
     * Follows until {@link #stop()}, until {@code maxTime} passes (null = no limit), or, with
     * {@code --exit-when-done}, until every session seen is done. Returns the sessions followed.
     */
    public Map<String, Followed> run(Duration maxTime) {
        long deadline = maxTime == null ? Long.MAX_VALUE : System.nanoTime() + maxTime.toNanos();
        if (!subscribed) {
            subscribe();
            subscribed = true;
        }
        try {
            while (!stop.get() && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, String> r : records) {
                    handle(r);
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
                if (options.exitWhenDone()
                        && !sessions.isEmpty()
                        && sessions.values().stream().allMatch(Followed::done)) {
                    break;
                }
            }
        } catch (WakeupException e) {
            // stop() from another thread
        }
        return sessions();
    }

    private void subscribe() {
        AtomicBoolean positioned = new AtomicBoolean();
        consumer.subscribe(List.of(SESSION_EVENTS, COST_EVENTS), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> parts) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                // a replay point applies to the first assignment only; later rebalances continue from commits
                if (options.since() != null && positioned.compareAndSet(false, true)) {
                    Map<TopicPartition, Long> query = new HashMap<>();
                    parts.forEach(tp -> query.put(tp, options.since().toEpochMilli()));
                    Map<TopicPartition, OffsetAndTimestamp> at = consumer.offsetsForTimes(query);
                    for (TopicPartition tp : parts) {
                        OffsetAndTimestamp o = at.get(tp);
                        if (o != null) {
                            consumer.seek(tp, o.offset());
                        } else {
                            consumer.seekToEnd(List.of(tp));
                        }
                    }
                }
            }
        });
    }

    private void handle(ConsumerRecord<String, String> r) {
        String id = header(r, "id");
        var type = EventType.of(header(r, "eventType"));
        if (type.isEmpty() || r.value() == null) {
            return;
        }
        Fact fact;
        try {
            fact = json.readValue(r.value(), type.get().record);
        } catch (Exception e) {
            // the broker sends bad payloads to <topic>.dlq, never here; be safe anyway
            out.println("skipping an unreadable " + type.get() + " at " + r.topic() + "/" + r.partition() + "@"
                    + r.offset());
            return;
        }
        if (options.sessionId() != null && !options.sessionId().equals(fact.sessionId())) {
            return;
        }
        if (options.consumerId() != null && !options.consumerId().equals(fact.consumerId())) {
            return;
        }
        if (id != null && seen.put(id, Boolean.TRUE) != null) {
            duplicates++;
            return;
        }
        out.printf(
                "%s %-24s %-19s %s%n",
                Instant.ofEpochMilli(r.timestamp()), fact.sessionId(), type.get(), fact.describe());
        record(type.get(), fact);
    }

    private void record(EventType type, Fact fact) {
        Followed f = sessions.getOrDefault(
                fact.sessionId(), new Followed(fact.sessionId(), List.of(), BigDecimal.ZERO, null, false, false));
        List<String> lifecycle = f.lifecycle();
        BigDecimal total = f.total();
        String currency = f.currency();
        boolean finalCost = f.finalCost();
        if (fact instanceof Fact.Cost c) {
            // cost events of one session are ordered (one key, one partition): the last total is the latest
            total = c.sessionTotal();
            currency = c.currency();
            finalCost = finalCost || c.finalTotal();
        } else {
            lifecycle = new ArrayList<>(lifecycle);
            lifecycle.add(type.name());
            lifecycle = List.copyOf(lifecycle);
        }
        boolean ended = f.ended() || fact instanceof Fact.Stopped || fact instanceof Fact.Failed;
        Followed next = new Followed(fact.sessionId(), lifecycle, total, currency, ended, finalCost);
        sessions.put(fact.sessionId(), next);
        if (fact instanceof Fact.Cost c && c.finalTotal()) {
            out.printf(
                    "%-24s %-24s %-19s %s %s%n",
                    "", fact.sessionId(), "SUMMARY", "cost", total.toPlainString() + " " + currency);
        }
    }

    /** The sessions followed so far. */
    public Map<String, Followed> sessions() {
        return Map.copyOf(sessions);
    }

    /** Deliveries skipped because their event id was already printed. */
    public int duplicates() {
        return duplicates;
    }

    /** Ends {@link #run} from another thread. */
    public void stop() {
        stop.set(true);
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
