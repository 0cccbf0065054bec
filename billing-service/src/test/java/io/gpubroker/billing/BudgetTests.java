package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.sql;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.config.JsonPathConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Monthly budgets: the pre-check that refuses spend, and the warning / exceeded events on budget.events. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class BudgetTests {

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
        RestAssured.config = RestAssured.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL));
    }

    static void budget(String consumer, String limit) {
        given().contentType(ContentType.JSON)
                .body("{\"monthly_limit\": " + limit + ", \"currency\": \"USD\"}")
                .put("/budgets/" + consumer)
                .then()
                .statusCode(200);
    }

    /** A finished one-hour session this month at {@code price} per hour. */
    static void spend(String consumer, String price) {
        String s = "sess-budget-" + UUID.randomUUID();
        // started 61 minutes ago: until its stop is applied, the running session accrues at most 61
        // minutes (started 150 minutes ago, a consumer batch that applied the start before the stop saw
        // 2.5 hours of spend in between and rightly called the budget exceeded)
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(61));
        if (!YearMonth.from(start.atOffset(ZoneOffset.UTC)).equals(YearMonth.now(ZoneOffset.UTC))) {
            start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofSeconds(10));
        }
        send(started(s, consumer, "trooper", "RTX 4090", price, start, null));
        send(stopped(s, consumer, "trooper", start.plus(Duration.ofHours(1))));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ended(s));
    }

    @Test
    void aBudgetIsSetReadBackAndValidated() {
        String consumer = "team-budget-" + UUID.randomUUID();
        budget(consumer, "25.50");
        given().get("/budgets/" + consumer)
                .then()
                .statusCode(200)
                .body("monthly_limit", Money.money("25.5"))
                .body("currency", equalTo("USD"))
                .body("spent", Money.money("0"))
                .body("remaining", Money.money("25.5"));
        given().get("/budgets/team-without-budget-" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .body("error", containsString("no budget"));
        given().contentType(ContentType.JSON)
                .body("{\"monthly_limit\": -1}")
                .put("/budgets/" + consumer)
                .then()
                .statusCode(400)
                .body("error", containsString("monthly_limit"));
        given().contentType(ContentType.JSON)
                .body("{\"currency\": \"USD\"}")
                .put("/budgets/" + consumer)
                .then()
                .statusCode(400)
                .body("error", containsString("monthly_limit"));
        given().contentType(ContentType.JSON)
                .body("{\"monthly_limit\": 5, \"currency\": \"usd\"}")
                .put("/budgets/" + consumer)
                .then()
                .statusCode(400)
                .body("error", containsString("currency"));
        given().contentType(ContentType.JSON)
                .body("{\"monthly_limit\": \"lots\"}")
                .put("/budgets/" + consumer)
                .then()
                .statusCode(400)
                .body("error", containsString("monthly_limit"));
        given().contentType(ContentType.JSON)
                .body("{\"consumer_id\": \"" + consumer + "\"}")
                .post("/budgets/check")
                .then()
                .statusCode(400)
                .body("error", containsString("amount"));
        given().contentType(ContentType.JSON)
                .body("{not json")
                .post("/budgets/check")
                .then()
                .statusCode(400);
    }

    @Test
    void theCheckRefusesSpendThatWouldGoOverTheBudget() {
        String consumer = "team-check-" + UUID.randomUUID();
        budget(consumer, "10");
        spend(consumer, "6.00");
        given().contentType(ContentType.JSON)
                .body("{\"consumer_id\": \"" + consumer + "\", \"amount\": 5}")
                .post("/budgets/check")
                .then()
                .statusCode(200)
                .body("allowed", equalTo(false))
                .body("remaining", Money.money("4"))
                .body("spent", Money.money("6"))
                .body("budget", Money.money("10"));
        given().contentType(ContentType.JSON)
                .body("{\"consumer_id\": \"" + consumer + "\", \"amount\": 4}")
                .post("/budgets/check")
                .then()
                .statusCode(200)
                .body("allowed", equalTo(true));
        given().contentType(ContentType.JSON)
                .body("{\"consumer_id\": \"team-unlimited\", \"amount\": 1000}")
                .post("/budgets/check")
                .then()
                .statusCode(200)
                .body("allowed", equalTo(true))
                .body("budget", nullValue());
    }

    @Test
    void eightyPercentWarnsAndTheLimitIsExceededOncePerMonth() {
        String consumer = "team-alerts-" + UUID.randomUUID();
        budget(consumer, "10");
        try (KafkaProbe events = KafkaProbe.tail(Topics.BUDGET_EVENTS)) {
            spend(consumer, "8.50");
            List<ConsumerRecord<String, String>> seen =
                    events.pollUntil(Duration.ofSeconds(30), r -> consumer.equals(r.key()));
            assertThat(seen)
                    .filteredOn(r -> consumer.equals(r.key()))
                    .extracting(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE))
                    .containsExactly("BudgetWarning");

            spend(consumer, "2.00");
            seen = events.pollUntil(
                    Duration.ofSeconds(30),
                    r -> consumer.equals(r.key())
                            && "BudgetExceeded".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)));
            ConsumerRecord<String, String> exceeded = seen.stream()
                    .filter(r -> consumer.equals(r.key())
                            && "BudgetExceeded".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)))
                    .findFirst()
                    .orElseThrow();
            JsonNode body = LedgerTests.json(exceeded);
            assertThat(body.get("consumer_id").asText()).isEqualTo(consumer);
            assertThat(body.get("month").asText())
                    .isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
            assertThat(body.get("budget").decimalValue()).isEqualByComparingTo("10");
            assertThat(body.get("spent").decimalValue()).isEqualByComparingTo("10.5");
            assertThat(body.get("currency").asText()).isEqualTo("USD");
            assertThat(body.hasNonNull("at")).isTrue();

            spend(consumer, "1.00");
            List<ConsumerRecord<String, String>> after = events.drain(Duration.ofSeconds(3));
            assertThat(after).filteredOn(r -> consumer.equals(r.key())).hasSize(2);
        }
        assertThat(sql("select count(*) from billing.budget_alerts where consumer_id = '" + consumer + "'"))
                .isEqualTo("2");
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("gpu_budget_used_ratio{consumer_id=\"" + consumer + "\"}"));
    }
}
