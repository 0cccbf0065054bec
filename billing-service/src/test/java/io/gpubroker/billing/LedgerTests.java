package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.ledgerTotal;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.sql;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.path.json.config.JsonPathConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ledger from session.events to the costs API, on the real Kafka, Debezium and PostgreSQL. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class LedgerTests {

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
        RestAssured.config = RestAssured.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL));
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static Instant recent(long minutesAgo, long extraSeconds) {
        return Instant.now()
                .truncatedTo(ChronoUnit.MINUTES)
                .minus(Duration.ofMinutes(minutesAgo))
                .plusSeconds(extraSeconds);
    }

    static BigDecimal cost(String price, double seconds) {
        return new BigDecimal(price)
                .multiply(BigDecimal.valueOf(seconds))
                .divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_UP);
    }

    static void awaitEnded(String session) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ended(session));
    }

    @Test
    void aTenMinuteSessionCostsExactlyTenMinutesNeitherZeroNorAnHour() {
        String s = id("sess-ten");
        Instant start = recent(40, 13);
        send(started(s, "team-ten", "tensordock", "RTX 4090", "0.45", start, "td-1"));
        send(stopped(s, "team-ten", "tensordock", start.plus(Duration.ofMinutes(10))));
        awaitEnded(s);

        assertThat(ledgerTotal(s)).isEqualByComparingTo("0.075");
        given().queryParam("session_id", s)
                .get("/costs")
                .then()
                .statusCode(200)
                .body("session_id", equalTo(s))
                .body("total_cost", Money.money("0.075"))
                .body("currency", equalTo("USD"))
                .body("status", equalTo("ended"))
                .body("hours_used", Money.money("0.1667"));
    }

    @Test
    void aLongSessionIsBilledToTheSecond() {
        String s = id("sess-long");
        Instant start = Instant.parse("2026-11-20T10:00:17.250Z");
        double seconds = 5 * 3600 + 3 * 60 + 41.5;
        send(started(s, "team-long", "trooper", "A100", "2.37", start, "tr-1"));
        send(stopped(s, "team-long", "trooper", start.plusMillis((long) (seconds * 1000))));
        awaitEnded(s);

        assertThat(ledgerTotal(s).setScale(6, RoundingMode.HALF_UP)).isEqualByComparingTo(cost("2.37", seconds));
        assertThat(sql("select sum(seconds) from billing.ledger_entries where session_id = '" + s + "'"))
                .isEqualTo("18221.500");
    }

    @Test
    void duplicatedAndReplayedEventsNeverChargeTwice() {
        String s = id("sess-dup");
        Instant start = recent(50, 7);
        var start1 = started(s, "team-dup", "tensordock", "RTX 4090", "1.20", start, "td-2");
        var stop1 = stopped(s, "team-dup", "tensordock", start.plus(Duration.ofMinutes(20)));
        String startId = send(start1);
        send(start1, startId);
        String stopId = send(stop1);
        send(stop1, stopId);
        // a replay with new ids and drifted times must not move the billing window either
        send(started(s, "team-dup", "tensordock", "RTX 4090", "9.99", start.minus(Duration.ofHours(1)), "td-2"));
        send(stopped(s, "team-dup", "tensordock", start.plus(Duration.ofHours(2))));
        String marker = id("sess-dup-marker");
        send(stopped(marker, "team-dup", "tensordock", start));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "1"
                        .equals(sql(
                                "select count(*) from billing.billed_sessions where session_id = '" + marker + "'")));
        awaitEnded(s);

        assertThat(ledgerTotal(s)).isEqualByComparingTo("0.4");
        assertThat(sql("select count(*) from billing.processed_messages where event_id in ('" + startId + "', '"
                        + stopId + "')"))
                .isEqualTo("2");
        assertThat(sql("select count(*) from billing.ledger_entries where session_id = '" + s + "'"))
                .isEqualTo("21");
    }

    @Test
    void aStopSeenBeforeItsStartStillEndsExact() {
        String s = id("sess-ooo");
        Instant start = recent(30, 45);
        send(stopped(s, "team-ooo", "tensordock", start.plusSeconds(7 * 60 + 30)));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "1"
                        .equals(sql("select count(*) from billing.billed_sessions where session_id = '" + s
                                + "' and ended_at is not null")));
        assertThat(ledgerTotal(s)).isZero();
        given().queryParam("session_id", s).get("/costs").then().statusCode(200).body("total_cost", Money.money("0"));

        send(started(s, "team-ooo", "tensordock", "RTX 3090", "1.00", start, "td-3"));
        awaitEnded(s);
        assertThat(ledgerTotal(s)).isEqualByComparingTo("0.125");
    }

    @Test
    void aRunningSessionsCostGrowsEveryMinuteAndItsEndIsExact() {
        String s = id("sess-run");
        Instant start = recent(5, -30);
        try (KafkaProbe costs = KafkaProbe.tail(Topics.COST_EVENTS)) {
            send(started(s, "team-run", "trooper", "L40S", "3.60", start, "tr-2"));
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> new BigDecimal(sql(
                                            "select coalesce(sum(seconds), 0) from billing.ledger_entries where session_id = '"
                                                    + s + "'"))
                                    .compareTo(BigDecimal.valueOf(300))
                            >= 0);
            BigDecimal seconds = new BigDecimal(
                    sql("select sum(seconds) from billing.ledger_entries where session_id = '" + s + "'"));
            given().queryParam("session_id", s)
                    .get("/costs")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("running"))
                    .body(
                            "total_cost",
                            Money.money(new BigDecimal("3.60")
                                    .multiply(seconds)
                                    .divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_UP)
                                    .toPlainString()));
            List<ConsumerRecord<String, String>> running =
                    costs.pollUntil(Duration.ofSeconds(30), r -> s.equals(r.key()));
            JsonNode first = json(
                    running.stream().filter(r -> s.equals(r.key())).findFirst().orElseThrow());
            assertThat(first.get("final").asBoolean()).isFalse();
            assertThat(first.get("session_total").decimalValue()).isPositive();

            send(stopped(s, "team-run", "trooper", start.plusMillis(340_250)));
            awaitEnded(s);
            assertThat(ledgerTotal(s)).isEqualByComparingTo("0.34025");
            List<ConsumerRecord<String, String>> all = costs.pollUntil(
                    Duration.ofSeconds(30),
                    r -> s.equals(r.key()) && json(r).get("final").asBoolean());
            JsonNode last = json(all.stream()
                    .filter(r -> s.equals(r.key()) && json(r).get("final").asBoolean())
                    .findFirst()
                    .orElseThrow());
            assertThat(last.get("session_total").decimalValue()).isEqualByComparingTo("0.34025");
            assertThat(KafkaProbe.header(all.get(all.size() - 1), Topics.HEADER_EVENT_TYPE))
                    .isEqualTo("CostAccrued");
        }
    }

    static JsonNode json(ConsumerRecord<String, String> r) {
        try {
            return EventCatalog.mapper().readTree(r.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void costsSplitIntoDaysAndMonthsAcrossMidnightAndMonthEnd() {
        String consumer = id("team-split");
        String a = id("sess-split-a");
        String b = id("sess-split-b");
        send(started(a, consumer, "tensordock", "RTX 4090", "1.20", Instant.parse("2026-10-31T23:30:00Z"), "td-4"));
        send(stopped(a, consumer, "tensordock", Instant.parse("2026-11-01T00:45:00Z")));
        // a failed session that had started is billed until ended_at
        send(started(b, consumer, "trooper", "A100", "3.00", Instant.parse("2026-11-01T10:00:00Z"), "tr-3"));
        send(SessionEvents.failed(
                b,
                consumer,
                "trooper",
                Instant.parse("2026-11-01T10:00:00Z"),
                Instant.parse("2026-11-01T10:20:00Z"),
                Instant.parse("2026-11-01T10:19:00Z")));
        awaitEnded(a);
        awaitEnded(b);

        given().queryParam("consumer_id", consumer)
                .queryParam("period", "daily")
                .get("/costs")
                .then()
                .statusCode(200)
                .body("total_cost", Money.money("2.5"))
                .body("session_count", equalTo(2))
                .body("hours_used", Money.money("1.5833"))
                .body("by_provider.tensordock", Money.money("1.5"))
                .body("by_provider.trooper", Money.money("1"))
                .body("by_gpu_type.'RTX 4090'", Money.money("1.5"))
                .body("periods.period", equalTo(List.of("2026-10-31", "2026-11-01")))
                .body("periods.total_cost", equalTo(List.of(new BigDecimal("0.6"), new BigDecimal("1.9"))))
                .body("periods.session_count", equalTo(List.of(1, 2)));
        given().queryParam("consumer_id", consumer)
                .queryParam("period", "monthly")
                .get("/costs")
                .then()
                .statusCode(200)
                .body("periods.period", equalTo(List.of("2026-10", "2026-11")))
                .body("periods.total_cost", equalTo(List.of(new BigDecimal("0.6"), new BigDecimal("1.9"))));
        given().queryParam("consumer_id", consumer)
                .queryParam("start_date", "2026-11-01")
                .queryParam("end_date", "2026-11-01")
                .get("/costs")
                .then()
                .statusCode(200)
                .body("total_cost", Money.money("1.9"))
                .body("start_date", equalTo("2026-11-01"));
        given().queryParam("consumer_id", consumer)
                .queryParam("end_date", "2026-10-31")
                .get("/costs")
                .then()
                .statusCode(200)
                .body("total_cost", Money.money("0.6"));
    }

    @Test
    void theMonthSummaryTotalsThisMonthByProviderAndGpuType() {
        String consumer = id("team-summary");
        String s = id("sess-summary");
        Instant start = recent(180, 0);
        send(started(s, consumer, "trooper", "H100", "0.50", start, "tr-4"));
        send(stopped(s, consumer, "trooper", start.plus(Duration.ofHours(1))));
        awaitEnded(s);
        given().queryParam("consumer_id", consumer)
                .get("/costs/summary")
                .then()
                .statusCode(200)
                .body("consumer_id", equalTo(consumer))
                .body("total_cost", Money.money("0.5"))
                .body("session_count", equalTo(1))
                .body("hours_used", Money.money("1"))
                .body("by_provider", equalTo(Map.of("trooper", new BigDecimal("0.5"))))
                .body("by_gpu_type", equalTo(Map.of("H100", new BigDecimal("0.5"))))
                .body("currency", equalTo("USD"))
                .body("month", notNullValue());
    }

    @Test
    void badCostQueriesAre400NamingTheParameterAndUnknownSessionsAre404() {
        given().queryParam("start_date", "2026-13-01")
                .get("/costs")
                .then()
                .statusCode(400)
                .body("error", containsString("start_date"))
                .body("request_id", notNullValue());
        given().queryParam("end_date", "2026-02-30")
                .get("/costs")
                .then()
                .statusCode(400)
                .body("error", containsString("end_date"));
        given().queryParam("start_date", "2026-1-5")
                .get("/costs")
                .then()
                .statusCode(400)
                .body("error", containsString("start_date"));
        given().queryParam("start_date", "2026-11-02")
                .queryParam("end_date", "2026-11-01")
                .get("/costs")
                .then()
                .statusCode(400)
                .body("error", containsString("start_date"));
        given().queryParam("period", "weekly")
                .get("/costs")
                .then()
                .statusCode(400)
                .body("error", containsString("period"));
        given().queryParam("consumer_id", "bad id!")
                .get("/costs/summary")
                .then()
                .statusCode(400)
                .body("error", containsString("consumer_id"));
        given().header("X-Request-ID", "req-404-test")
                .queryParam("session_id", "sess-never-seen")
                .get("/costs")
                .then()
                .statusCode(404)
                .body("error", containsString("sess-never-seen"))
                .body("request_id", equalTo("req-404-test"));
    }
}
