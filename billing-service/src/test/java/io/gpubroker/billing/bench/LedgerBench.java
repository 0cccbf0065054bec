package io.gpubroker.billing.bench;

import static io.restassured.RestAssured.given;

import io.gpubroker.billing.service.AccrualService;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Benchmark harness (prints figures, asserts nothing): 10,000 sessions through the real Kafka →
 * inbox → ledger path, one accrual run writing 30 minutes for all of them, their exact close, and
 * costs API latency over the resulting ledger. Run with
 * {@code ./mvnw -q -o install -pl billing-service -Dtest=LedgerBench -Dbench=true}.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class LedgerBench {
    static final int SESSIONS = Integer.getInteger("bench.sessions", 10_000);
    static final int CONSUMERS = 100;

    @Inject
    AccrualService accruals;

    static String sql(String q) {
        return TestStack.get().postgres().query("gpubroker", q);
    }

    static double waitFor(String what, IntSupplier count, int target, long startNanos) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (count.getAsInt() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": timed out at " + count.getAsInt() + "/" + target);
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static void sendAll(List<BrokerEvent> events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (BrokerEvent e : events) {
                ProducerRecord<String, String> r =
                        new ProducerRecord<>(Topics.SESSION_EVENTS, e.aggregateId(), EventCatalog.toJson(e));
                r.headers()
                        .add(
                                Topics.HEADER_EVENT_ID,
                                UUID.randomUUID().toString().getBytes());
                r.headers()
                        .add(
                                Topics.HEADER_EVENT_TYPE,
                                e.getClass().getSimpleName().getBytes());
                producer.send(r);
            }
            producer.flush();
        }
    }

    static String percentiles(List<Long> nanos) {
        Collections.sort(nanos);
        return String.format(
                "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (n=%d)",
                nanos.get(nanos.size() / 2) / 1e6,
                nanos.get((int) (nanos.size() * 0.95)) / 1e6,
                nanos.get((int) (nanos.size() * 0.99)) / 1e6,
                nanos.size());
    }

    @Test
    void tenThousandSessions() throws Throwable {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "benchmark: run with -Dbench=true");
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        // a day ahead: the scheduled accrual leaves them alone, so the timed run below does all the work
        Instant start = Instant.now()
                .truncatedTo(ChronoUnit.MINUTES)
                .plus(Duration.ofDays(1))
                .plusSeconds(13);
        List<BrokerEvent> starts = new ArrayList<>();
        List<BrokerEvent> stops = new ArrayList<>();
        String[] providers = {"vastai", "tensordock", "rackrr", "barrack", "trooper"};
        for (int i = 0; i < SESSIONS; i++) {
            String s = run + "-" + i;
            String consumer = run + "-c" + (i % CONSUMERS);
            String provider = providers[i % providers.length];
            starts.add(new SessionStarted(
                    s,
                    consumer,
                    provider,
                    provider + "-o",
                    "RTX 4090",
                    1,
                    new java.math.BigDecimal("0.45"),
                    "USD",
                    null,
                    start));
            stops.add(new SessionStopped(s, consumer, provider, null, "done", null, start.plusSeconds(30 * 60 + 17)));
        }
        IntSupplier startedRows =
                () -> Integer.parseInt(sql("select count(*) from billing.billed_sessions where session_id like '" + run
                        + "-%' and started_at is not null"));
        long t0 = System.nanoTime();
        sendAll(starts);
        double ingest = waitFor("starts", startedRows, SESSIONS, t0);
        System.out.printf(
                "BENCH ingest SessionStarted: %d events in %.2f s = %.0f events/s%n",
                SESSIONS, ingest, SESSIONS / ingest);

        long t1 = System.nanoTime();
        AccrualService.RunResult r =
                VertxContextSupport.subscribeAndAwait(() -> accruals.accrueUntil(start.plus(Duration.ofMinutes(30))));
        double accrual = (System.nanoTime() - t1) / 1e9;
        String steps = sql("select count(*) from billing.ledger_entries where session_id like '" + run + "-%'");
        System.out.printf(
                "BENCH accrual run: %d sessions, %s minute steps, %d CostAccrued in %.2f s = %.0f sessions/s, %.0f steps/s%n",
                r.sessions(), steps, r.sessions(), accrual, r.sessions() / accrual, Long.parseLong(steps) / accrual);

        IntSupplier endedRows =
                () -> Integer.parseInt(sql("select count(*) from billing.billed_sessions where session_id like '" + run
                        + "-%' and accrued_until = ended_at"));
        long t2 = System.nanoTime();
        sendAll(stops);
        double close = waitFor("stops", endedRows, SESSIONS, t2);
        System.out.printf(
                "BENCH ingest SessionStopped (exact close + final CostAccrued): %d events in %.2f s = %.0f events/s%n",
                SESSIONS, close, SESSIONS / close);
        System.out.printf(
                "BENCH ledger total for the run: %s (expected %s)%n",
                sql("select round(sum(amount), 6) from billing.ledger_entries where session_id like '" + run + "-%'"),
                new java.math.BigDecimal("0.45")
                        .multiply(java.math.BigDecimal.valueOf(1817))
                        .divide(java.math.BigDecimal.valueOf(3600), 10, java.math.RoundingMode.HALF_UP)
                        .multiply(java.math.BigDecimal.valueOf(SESSIONS))
                        .setScale(6, java.math.RoundingMode.HALF_UP));

        Random rnd = new Random(7);
        for (int i = 0; i < 20; i++) {
            given().queryParam("session_id", run + "-" + rnd.nextInt(SESSIONS))
                    .get("/costs")
                    .then()
                    .statusCode(200);
        }
        List<Long> bySession = new ArrayList<>();
        List<Long> byConsumer = new ArrayList<>();
        List<Long> summary = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long q = System.nanoTime();
            given().queryParam("session_id", run + "-" + rnd.nextInt(SESSIONS))
                    .get("/costs")
                    .then()
                    .statusCode(200);
            bySession.add(System.nanoTime() - q);
            q = System.nanoTime();
            given().queryParam("consumer_id", run + "-c" + rnd.nextInt(CONSUMERS))
                    .queryParam("period", "daily")
                    .get("/costs")
                    .then()
                    .statusCode(200);
            byConsumer.add(System.nanoTime() - q);
            if (i % 4 == 0) {
                q = System.nanoTime();
                given().get("/costs/summary").then().statusCode(200);
                summary.add(System.nanoTime() - q);
            }
        }
        System.out.println("BENCH GET /costs?session_id: " + percentiles(bySession));
        System.out.println(
                "BENCH GET /costs?consumer_id&period=daily (100 sessions x 31 steps each): " + percentiles(byConsumer));
        System.out.println("BENCH GET /costs/summary (whole month, all consumers, from the daily rollup): "
                + percentiles(summary));
        // the same month summary in SQL on both sources, same data and load: the raw minute rows (what
        // /costs/summary ran before V3) and the daily rollup (what it runs now)
        java.time.YearMonth month = java.time.YearMonth.now(java.time.ZoneOffset.UTC);
        String raw =
                "select provider, coalesce(gpu_type, 'unknown'), currency, sum(amount), sum(seconds), count(distinct session_id)"
                        + " from billing.ledger_entries where minute >= '" + month.atDay(1)
                        + "T00:00:00Z' and minute < '"
                        + month.plusMonths(1).atDay(1) + "T00:00:00Z' group by 1, 2, 3";
        String rollup = "select provider, gpu_type, currency, sum(amount), sum(seconds), count(distinct session_id)"
                + " from billing.daily_costs where day >= '" + month.atDay(1) + "' and day < '"
                + month.plusMonths(1).atDay(1)
                + "' group by 1, 2, 3";
        List<Long> rawNanos = new ArrayList<>();
        List<Long> rollupNanos = new ArrayList<>();
        try (java.sql.Connection c = TestStack.get().postgres().connect("gpubroker");
                var st = c.createStatement()) {
            for (int i = 0; i < 25; i++) {
                long q = System.nanoTime();
                st.executeQuery(raw).close();
                rawNanos.add(System.nanoTime() - q);
                q = System.nanoTime();
                st.executeQuery(rollup).close();
                rollupNanos.add(System.nanoTime() - q);
            }
        }
        System.out.println("BENCH month summary SQL on the raw minute rows: " + percentiles(rawNanos));
        System.out.println("BENCH month summary SQL on the daily rollup: " + percentiles(rollupNanos));
        System.out.println("BENCH ledger rows in schema: " + sql("select count(*) from billing.ledger_entries")
                + ", daily rollup rows: " + sql("select count(*) from billing.daily_costs"));

        // the ledger's triggers remove the run's rollup rows with it
        TestStack.get()
                .postgres()
                .execute("gpubroker", "delete from billing.ledger_entries where session_id like '" + run + "-%'");
        TestStack.get()
                .postgres()
                .execute("gpubroker", "delete from billing.billed_sessions where session_id like '" + run + "-%'");
    }
}
