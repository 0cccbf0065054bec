package io.gpubroker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.stack.Postgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Outbox commit → consumer effect committed, through the real path: a row in session.outbox
 * (exactly what SessionService writes), Debezium in Kafka Connect, Kafka, billing-service's
 * idempotent consumer writing billing.session_accounts. Latency = the effect row's
 * clock_timestamp() − the outbox row's clock_timestamp(), both read from the one PostgreSQL
 * server, so no clock skew. Runs a steady phase (N events at R/s) and a burst (N at once).
 * It also splits each latency into hops with a plain consumer of its own on {@code session.events}
 * (same machine, so one wall clock): commit → Debezium read (the record timestamp, which the
 * outbox router sets to Debezium's {@code ts_ms}), commit → record visible in Kafka (this
 * consumer's receive time), and record visible → billing's effect committed.
 * Usage: OutboxLatencyBench [events=1000] [rate=50]; needs ./broker up.
 */
public final class OutboxLatencyBench {

    public static void main(String[] args) throws Exception {
        System.setProperty(
                "org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Postgres pg = attach();
        try (Connection c = pg.connect(pg.database());
                Tap tap = new Tap(kafka())) {
            c.setAutoCommit(true);
            warmUp(c, tap);
            System.out.printf(
                    "machine: %d cores, %s, java %s, load average %.2f%n",
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                    System.getProperty("java.version"),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage());
            report("steady " + rate + "/s", run(c, tap, events, rate));
            report("burst", run(c, tap, events, 0));
        }
    }

    static String kafka() throws Exception {
        Path state = Path.of(System.getProperty("broker.root", ".")).resolve(".broker/local/state.json");
        return (String) new ObjectMapper().readValue(state.toFile(), Map.class).get("kafka");
    }

    /** A plain consumer of session.events (no group, from the end) noting when each key became visible. */
    static final class Tap implements AutoCloseable {
        final Map<String, long[]> seen = new ConcurrentHashMap<>();
        private final KafkaConsumer<String, String> consumer;
        private final Thread thread;
        private volatile boolean running = true;

        Tap(String bootstrap) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
            consumer = new KafkaConsumer<>(p);
            List<TopicPartition> parts = consumer.partitionsFor("session.events").stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            thread = new Thread(
                    () -> {
                        while (running) {
                            for (ConsumerRecord<String, String> r : consumer.poll(java.time.Duration.ofMillis(200))) {
                                if (r.key() != null && r.key().startsWith("sess-bench-")) {
                                    seen.putIfAbsent(r.key(), new long[] {System.currentTimeMillis(), r.timestamp()});
                                }
                            }
                        }
                        consumer.close();
                    },
                    "bench-tap");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    static Postgres attach() throws Exception {
        Path state = Path.of(System.getProperty("broker.root", ".")).resolve(".broker/local/state.json");
        @SuppressWarnings("unchecked")
        Map<String, Object> s = new ObjectMapper().readValue(state.toFile(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, String> p = (Map<String, String>) s.get("postgres");
        java.net.URI u = java.net.URI.create(p.get("jdbc_url").substring(5));
        return Postgres.attach(
                u.getHost(), u.getPort(), p.get("user"), "postgres", u.getPath().substring(1));
    }

    /** End-to-end latencies and, per event seen by the tap, the three hops (ms). */
    record Result(
            double[] latenciesMs,
            double seconds,
            int events,
            double[] toDebezium,
            double[] toKafka,
            double[] toEffect) {}

    static void warmUp(Connection c, Tap tap) throws Exception {
        run(c, tap, 50, 100);
    }

    static Result run(Connection c, Tap tap, int events, int ratePerSecond) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>(events);
        long start = System.nanoTime();
        try (PreparedStatement ins = c.prepareStatement("""
                insert into session.outbox (id, aggregatetype, aggregateid, type, version, topic, payload)
                values (?::uuid, 'session', ?, 'SessionRequested', 1, 'session.events', ?::jsonb)""")) {
            for (int i = 0; i < events; i++) {
                String sid = "sess-bench-" + run + "-" + i;
                ids.add(sid);
                SessionRequested e = new SessionRequested(
                        sid,
                        "bench",
                        "vastai-bench",
                        "vastai",
                        "RTX 4090",
                        1,
                        new BigDecimal("0.45"),
                        "USD",
                        1,
                        "batch",
                        Instant.now());
                ins.setString(1, UUID.randomUUID().toString());
                ins.setString(2, sid);
                ins.setString(3, EventCatalog.toJson(e));
                ins.executeUpdate();
                if (ratePerSecond > 0) {
                    long due = start + (long) ((i + 1) * 1e9 / ratePerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        }
        String like = "sess-bench-" + run + "-%";
        long deadline = System.currentTimeMillis() + 120_000;
        int done = 0;
        while (System.currentTimeMillis() < deadline) {
            try (PreparedStatement q =
                    c.prepareStatement("select count(*) from billing.session_accounts where session_id like ?")) {
                q.setString(1, like);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    done = rs.getInt(1);
                }
            }
            if (done >= events) {
                break;
            }
            Thread.sleep(50);
        }
        if (done < events) {
            throw new IllegalStateException("only " + done + " of " + events + " effects after 120 s");
        }
        try (PreparedStatement q = c.prepareStatement("""
                select extract(epoch from (a.recorded_at - o.created_at)) * 1000,
                       extract(epoch from (max(a.recorded_at) over () - min(o.created_at) over ())),
                       a.session_id, extract(epoch from o.created_at) * 1000, extract(epoch from a.recorded_at) * 1000
                from billing.session_accounts a join session.outbox o on o.aggregateid = a.session_id
                where a.session_id like ?""")) {
            q.setString(1, like);
            double[] lat = new double[events];
            List<double[]> hops = new ArrayList<>();
            double seconds = 0;
            int i = 0;
            Thread.sleep(300); // lets the tap catch up with what billing has applied
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next() && i < events) {
                    lat[i++] = rs.getDouble(1);
                    seconds = rs.getDouble(2);
                    long[] seen = tap.seen.remove(rs.getString(3));
                    if (seen != null) {
                        double created = rs.getDouble(4);
                        hops.add(new double[] {seen[1] - created, seen[0] - created, rs.getDouble(5) - seen[0]});
                    }
                }
            }
            double[][] cols = new double[3][hops.size()];
            for (int h = 0; h < hops.size(); h++) {
                for (int k = 0; k < 3; k++) {
                    cols[k][h] = hops.get(h)[k];
                }
            }
            return new Result(Arrays.copyOf(lat, i), seconds, i, cols[0], cols[1], cols[2]);
        }
    }

    static void report(String name, Result r) {
        double[] l = r.latenciesMs().clone();
        Arrays.sort(l);
        System.out.printf(
                "%-14s events %5d  p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms  sustained %7.0f events/s%n",
                name,
                r.events(),
                pct(l, 50),
                pct(l, 90),
                pct(l, 99),
                l[l.length - 1],
                r.events() / Math.max(r.seconds(), 1e-3));
        hop("  commit → Debezium read", r.toDebezium());
        hop("  commit → in Kafka", r.toKafka());
        hop("  in Kafka → effect", r.toEffect());
    }

    static void hop(String name, double[] values) {
        if (values.length == 0) {
            return;
        }
        double[] l = values.clone();
        Arrays.sort(l);
        System.out.printf(
                "%-26s (%4d seen)  p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n",
                name, l.length, pct(l, 50), pct(l, 90), pct(l, 99), l[l.length - 1]);
    }

    static double pct(double[] sorted, double p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
