package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.sql;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.contracts.InstanceCreated;
import io.gpubroker.contracts.InstanceGone;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.testkit.BrokerTestProfile;
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
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cost of every instance (#18), from session.events on the real Kafka and PostgreSQL: an
 * instance bills from its creation to the provider's confirmation; what no session covers is
 * charged once, flagged, to the account that pays (the test profile keeps the default policy:
 * failed launches and orphans are the operator's). The CSV export lists every charge and totals
 * exactly what {@code GET /costs} says.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class InstanceCostsTests {
    static final Instant T = Instant.parse("2026-10-07T09:00:20Z");

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
        RestAssured.config = RestAssured.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL));
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static InstanceCreated created(
            String session, String consumer, String instance, String kind, String price, Instant at) {
        return new InstanceCreated(
                session,
                consumer,
                "vastai",
                instance,
                kind,
                "vastai-offer-1",
                "RTX 4090",
                price == null ? null : new BigDecimal(price),
                price == null ? null : "USD",
                at);
    }

    static InstanceGone gone(String session, String consumer, String instance, Instant at) {
        return new InstanceGone(session, consumer, "vastai", instance, at);
    }

    static void awaitCharged(String instance) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> "1"
                        .equals(sql("select count(*) from billing.instance_charges where instance_id = '" + instance
                                + "' and charged_at is not null")));
    }

    static BigDecimal charged(String instance, String flag) {
        return new BigDecimal(
                        sql("select coalesce(sum(amount), 0) from billing.instance_ledger_entries where instance_id = '"
                                + instance + "' and flag = '" + flag + "'"))
                .setScale(6, RoundingMode.HALF_UP);
    }

    static String payer(String instance) {
        return sql(
                "select string_agg(distinct consumer_id, ',') from billing.instance_ledger_entries where instance_id = '"
                        + instance + "'");
    }

    static BigDecimal cost(String price, long seconds) {
        return new BigDecimal(price)
                .multiply(BigDecimal.valueOf(seconds))
                .divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_UP);
    }

    @Test
    void aRunningSessionsInstanceCostsItsConsumerTheBootAndTheDestroyDelayBesideTheSession() {
        String s = id("sess-boot");
        String vm = id("vm");
        String team = id("team-boot");
        Instant created = T.minusSeconds(150);
        Instant end = T.plus(Duration.ofMinutes(10));
        Instant confirmed = end.plusSeconds(95);
        send(created(s, team, vm, InstanceCreated.ATTEMPT, "0.60", created));
        send(started(s, team, "vastai", "RTX 4090", "0.60", T, vm));
        send(stopped(s, team, "vastai", end));
        send(gone(s, team, vm, confirmed));
        awaitCharged(vm);

        assertThat(charged(vm, "boot")).isEqualByComparingTo(cost("0.60", 150));
        assertThat(charged(vm, "destroy_delay")).isEqualByComparingTo(cost("0.60", 95));
        assertThat(payer(vm)).isEqualTo(team);
        // the session itself is billed as before: exactly its ten minutes
        assertThat(SessionEvents.ledgerTotal(s)).isEqualByComparingTo(cost("0.60", 600));
    }

    @Test
    void aFailedLaunchIsChargedOnceToTheOperatorAttributedToItsSession() {
        String s = id("sess-failed");
        String vm = id("vm");
        String team = id("team-failed");
        Instant created = T.plusSeconds(7);
        Instant confirmed = created.plus(Duration.ofMinutes(7)).plusSeconds(30);
        var c = created(s, team, vm, InstanceCreated.ATTEMPT, "1.20", created);
        String createdId = send(c);
        send(new SessionFailed(s, team, "vastai", null, vm, "host mismatch", "host_mismatch", null, null, confirmed));
        var g = gone(s, team, vm, confirmed);
        String goneId = send(g);
        // duplicates (same ids) and a replay with new ids and other times change nothing
        send(c, createdId);
        send(g, goneId);
        send(gone(s, team, vm, confirmed.plus(Duration.ofHours(3))));
        awaitCharged(vm);
        String marker = id("sess-marker");
        send(created(marker, team, id("vm"), InstanceCreated.ATTEMPT, "1.00", T));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "1"
                        .equals(sql(
                                "select count(*) from billing.instance_charges where session_id = '" + marker + "'")));

        assertThat(charged(vm, "failed_attempt")).isEqualByComparingTo(cost("1.20", 450));
        assertThat(payer(vm)).isEqualTo("operator");
        assertThat(sql("select distinct session_id from billing.instance_ledger_entries where instance_id = '" + vm
                        + "'"))
                .isEqualTo(s);
        assertThat(sql("select count(*) from billing.ledger_entries where session_id = '" + s + "'"))
                .as("no session ledger: the session never ran")
                .isEqualTo("0");
    }

    @Test
    void anOrphanIsTheOperatorsAtItsSessionsOfferPriceAndAnUnpricedOneIsRecordedNotGuessed() {
        String s = id("sess-orphan");
        String team = id("team-orphan");
        String vm = id("vm");
        send(new SessionRequested(
                s, team, "vastai-offer-1", "vastai", "RTX 4090", 1, new BigDecimal("0.90"), "USD", 2, "batch", T));
        send(created(s, team, vm, InstanceCreated.ORPHAN, null, T));
        send(gone(s, team, vm, T.plus(Duration.ofMinutes(20))));
        String ghost = id("vm-ghost");
        send(created(id("sess-unknown"), null, ghost, InstanceCreated.ORPHAN, null, T));
        send(gone("sess-unknown", null, ghost, T.plus(Duration.ofMinutes(20))));
        awaitCharged(vm);
        awaitCharged(ghost);

        assertThat(charged(vm, "orphan")).isEqualByComparingTo(cost("0.90", 1200));
        assertThat(payer(vm)).isEqualTo("operator");
        assertThat(sql("select note from billing.instance_charges where instance_id = '" + ghost + "'"))
                .contains("no price");
        assertThat(sql("select count(*) from billing.instance_ledger_entries where instance_id = '" + ghost + "'"))
                .isEqualTo("0");
    }

    @Test
    void theCsvExportListsEverySessionAndInstanceChargeAndTotalsTheSummaryToTheCent() {
        String team = id("team-export");
        String s1 = id("sess-exp");
        String vm1 = id("vm");
        Instant day = Instant.parse("2026-09-14T10:00:13Z");
        send(created(s1, team, vm1, InstanceCreated.ATTEMPT, "0.45", day.minusSeconds(70)));
        send(started(s1, team, "vastai", "RTX 4090", "0.45", day, vm1));
        send(stopped(s1, team, "vastai", day.plus(Duration.ofMinutes(33)).plusSeconds(17)));
        send(gone(s1, team, vm1, day.plus(Duration.ofMinutes(33)).plusSeconds(17)));
        String s2 = id("sess-exp");
        String vm2 = id("vm");
        // a second session on the next day whose launch failed; by policy its cost is the operator's,
        // so the consumer's export has only its session line and the first one's boot
        send(created(s2, team, vm2, InstanceCreated.ATTEMPT, "0.45", day.plus(Duration.ofDays(1))));
        send(gone(s2, team, vm2, day.plus(Duration.ofDays(1)).plusSeconds(300)));
        awaitCharged(vm1);
        awaitCharged(vm2);

        String csv = given().queryParam("format", "csv")
                .queryParam("consumer_id", team)
                .queryParam("start_date", "2026-09-14")
                .queryParam("end_date", "2026-09-15")
                .get("/costs/export")
                .then()
                .statusCode(200)
                .contentType(org.hamcrest.Matchers.containsString("text/csv"))
                .extract()
                .asString();
        List<String> rows = Arrays.asList(csv.split("\r\n"));
        assertThat(rows.get(0)).startsWith("line_type,consumer_id,session_id");
        assertThat(rows).anyMatch(r -> r.startsWith("session," + team + "," + s1 + "," + vm1 + ",vastai"));
        assertThat(rows)
                .anyMatch(r -> r.startsWith("instance," + team + "," + s1 + "," + vm1 + ",vastai,RTX 4090,boot,"));
        assertThat(rows).noneMatch(r -> r.contains(s2));
        String total = rows.get(rows.size() - 1);
        assertThat(total).startsWith("total,");
        BigDecimal exported = new BigDecimal(total.split(",")[10]);
        BigDecimal lines = rows.subList(1, rows.size() - 1).stream()
                .map(r -> new BigDecimal(r.split(",")[10]))
                .reduce(BigDecimal.ZERO, BigDecimal::add);

        BigDecimal summary = given().queryParam("consumer_id", team)
                .queryParam("start_date", "2026-09-14")
                .queryParam("end_date", "2026-09-15")
                .get("/costs")
                .then()
                .statusCode(200)
                .extract()
                .path("total_cost");
        assertThat(exported).isEqualByComparingTo(summary);
        assertThat(lines.setScale(2, RoundingMode.HALF_UP))
                .isEqualByComparingTo(summary.setScale(2, RoundingMode.HALF_UP));
        assertThat(summary).isEqualByComparingTo(cost("0.45", 33 * 60 + 17 + 70));

        // the operator's export of the next day holds the failed launch, attributed to its session
        String operator = given().queryParam("consumer_id", "operator")
                .queryParam("start_date", "2026-09-15")
                .queryParam("end_date", "2026-09-15")
                .get("/costs/export")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(operator).contains("instance,operator," + s2 + "," + vm2 + ",vastai,RTX 4090,failed_attempt,");
    }

    @Test
    void theExportRefusesWhatItCannotServeWithA400() {
        given().queryParam("format", "xlsx").get("/costs/export").then().statusCode(400);
        given().queryParam("start_date", "2026-13-01")
                .get("/costs/export")
                .then()
                .statusCode(400);
        given().queryParam("start_date", "2026-09-15")
                .queryParam("end_date", "2026-09-14")
                .get("/costs/export")
                .then()
                .statusCode(400);
        given().queryParam("consumer_id", "a,b").get("/costs/export").then().statusCode(400);
    }
}
