package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.sql;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.specification.RequestSpecification;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code billing.daily_costs} against the raw ledger: after accruals of a running session, a stop that
 * rewrites and removes what accrual had written, a session across midnight and a month end, a stop
 * seen before its start, and replays, the rollup equals the ledger's sums exactly, and every costs
 * answer (now served by the rollup) equals what the raw minute rows give.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class DailyRollupTests {

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
        RestAssured.config = RestAssured.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL));
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /** Rows of the rollup that the ledger does not produce, and the other way round (exact numeric comparison). */
    /** Rows where the rollup and the two ledgers it sums (sessions and instance charges, V4) disagree. */
    static final String DIFFERENCES = """
            with raw as (
                select session_id, (minute at time zone 'UTC')::date as day, consumer_id, provider,
                       coalesce(gpu_type, 'unknown') as gpu_type, currency, sum(amount) as amount, sum(seconds) as seconds,
                       count(*)::int as steps
                from (select session_id, minute, consumer_id, provider, gpu_type, currency, amount, seconds
                      from billing.ledger_entries
                      union all
                      select session_id, minute, consumer_id, provider, gpu_type, currency, amount, seconds
                      from billing.instance_ledger_entries) l
                group by 1, 2, 3, 4, 5, 6),
            rollup as (
                select session_id, day, consumer_id, provider, gpu_type, currency, amount, seconds, steps from billing.daily_costs)
            select count(*) from ((select * from raw except all select * from rollup)
                                  union all (select * from rollup except all select * from raw)) d""";

    static List<String[]> rows(String query) throws Exception {
        try (Connection c = TestStack.get().postgres().connect("gpubroker");
                var st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            List<String[]> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                String[] r = new String[n];
                for (int i = 0; i < n; i++) {
                    r[i] = rs.getString(i + 1);
                }
                out.add(r);
            }
            return out;
        }
    }

    static BigDecimal dec(Object json) {
        assertThat(json).isNotNull();
        return new BigDecimal(json.toString());
    }

    static BigDecimal money(BigDecimal v) {
        return v.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    static BigDecimal hours(BigDecimal seconds) {
        return seconds.divide(BigDecimal.valueOf(3600), 4, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    /** What the raw minute rows say for a consumer and [from, to] (UTC days), as the costs API shows it. */
    static void assertAnswerMatchesRawLedger(JsonPath api, String consumer, LocalDate from, LocalDate to, String period)
            throws Exception {
        String where = " where consumer_id = '" + consumer + "'"
                + (from == null ? "" : " and minute >= '" + from.atStartOfDay().toInstant(ZoneOffset.UTC) + "'")
                + (to == null
                        ? ""
                        : " and minute < '" + to.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC) + "'");
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal seconds = BigDecimal.ZERO;
        long sessions = 0;
        Map<String, BigDecimal> byProvider = new TreeMap<>();
        Map<String, BigDecimal> byGpu = new TreeMap<>();
        for (String[] r : rows(
                "select provider, coalesce(gpu_type, 'unknown'), sum(amount), sum(seconds), count(distinct session_id)"
                        + " from billing.ledger_entries" + where + " group by 1, 2")) {
            BigDecimal amount = new BigDecimal(r[2]);
            byProvider.merge(r[0], amount, BigDecimal::add);
            byGpu.merge(r[1], amount, BigDecimal::add);
            total = total.add(amount);
            seconds = seconds.add(new BigDecimal(r[3]));
            sessions += Long.parseLong(r[4]);
        }
        assertThat(dec(api.get("total_cost"))).as("total_cost").isEqualByComparingTo(money(total));
        assertThat(dec(api.get("hours_used"))).as("hours_used").isEqualByComparingTo(hours(seconds));
        assertThat(api.getLong("session_count")).as("session_count").isEqualTo(sessions);
        Map<String, Object> apiProviders = api.getMap("by_provider");
        assertThat(apiProviders.keySet()).containsExactlyInAnyOrderElementsOf(byProvider.keySet());
        byProvider.forEach((k, v) ->
                assertThat(dec(apiProviders.get(k))).as("by_provider " + k).isEqualByComparingTo(money(v)));
        Map<String, Object> apiGpus = api.getMap("by_gpu_type");
        assertThat(apiGpus.keySet()).containsExactlyInAnyOrderElementsOf(byGpu.keySet());
        byGpu.forEach(
                (k, v) -> assertThat(dec(apiGpus.get(k))).as("by_gpu_type " + k).isEqualByComparingTo(money(v)));
        if (period != null) {
            String unit = "monthly".equals(period) ? "month" : "day";
            String format = "monthly".equals(period) ? "YYYY-MM" : "YYYY-MM-DD";
            List<String[]> raw = rows("select to_char(date_trunc('" + unit + "', minute, 'UTC') at time zone 'UTC', '"
                    + format
                    + "'), sum(amount), sum(seconds), count(distinct session_id) from billing.ledger_entries" + where
                    + " group by 1 order by 1");
            List<Map<String, Object>> periods = api.getList("periods");
            assertThat(periods).as("periods").hasSize(raw.size());
            for (int i = 0; i < raw.size(); i++) {
                Map<String, Object> p = periods.get(i);
                assertThat(p.get("period")).isEqualTo(raw.get(i)[0]);
                assertThat(dec(p.get("total_cost")))
                        .as("period total " + raw.get(i)[0])
                        .isEqualByComparingTo(money(new BigDecimal(raw.get(i)[1])));
                assertThat(dec(p.get("hours_used"))).isEqualByComparingTo(hours(new BigDecimal(raw.get(i)[2])));
                assertThat(((Number) p.get("session_count")).longValue()).isEqualTo(Long.parseLong(raw.get(i)[3]));
            }
        }
    }

    static JsonPath costs(String consumer, Map<String, String> params) {
        RequestSpecification r = given().queryParam("consumer_id", consumer);
        params.forEach(r::queryParam);
        return r.get("/costs").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void theRollupAnswersWhatTheRawLedgerSumsAfterAccrualsAStopRewriteAndReplays() throws Exception {
        String consumer = id("team-rollup");
        List<String> eventIds = new ArrayList<>();

        // 1. a running session the accrual job writes whole minutes for
        String run = id("sess-roll-run");
        Instant start = Instant.now()
                .truncatedTo(ChronoUnit.MINUTES)
                .minus(Duration.ofMinutes(95))
                .plusSeconds(17);
        eventIds.add(send(started(run, consumer, "trooper", "A100", "2.37", start, "tr-roll-1")));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> new BigDecimal(sql(
                                        "select coalesce(sum(seconds), 0) from billing.ledger_entries where session_id = '"
                                                + run + "'"))
                                .compareTo(BigDecimal.valueOf(90 * 60))
                        >= 0);
        assertThat(sql(DIFFERENCES)).as("rollup vs ledger while running").isEqualTo("0");

        // 2. its stop lies 50 minutes back: the last step is rewritten (update) and the later ones removed (delete)
        Instant end = start.plus(Duration.ofMinutes(41)).plusMillis(250);
        eventIds.add(send(stopped(run, consumer, "trooper", end)));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(run));
        assertThat(sql("select sum(seconds) from billing.ledger_entries where session_id = '" + run + "'"))
                .isEqualTo("2460.250");

        // 3. a session across midnight and a month end; 4. a stop seen before its start
        String cross = id("sess-roll-cross");
        Instant crossStart = Instant.parse("2026-10-31T23:47:13.500Z");
        eventIds.add(send(started(cross, consumer, "tensordock", "RTX 4090", "1.10", crossStart, "td-roll-1")));
        eventIds.add(send(stopped(cross, consumer, "tensordock", Instant.parse("2026-11-01T01:02:44.250Z"))));
        String late = id("sess-roll-late");
        Instant lateStart = Instant.now()
                .truncatedTo(ChronoUnit.MINUTES)
                .minus(Duration.ofMinutes(30))
                .plusSeconds(45);
        eventIds.add(send(stopped(late, consumer, "tensordock", lateStart.plusSeconds(7 * 60 + 30))));
        eventIds.add(send(started(late, consumer, "tensordock", "RTX 3090", "1.00", lateStart, "td-roll-2")));

        // 5. replays: the same events again, and new ids carrying drifted times and prices
        var replayStart =
                started(run, consumer, "trooper", "A100", "9.99", start.minus(Duration.ofHours(1)), "tr-roll-1");
        var replayStop = stopped(run, consumer, "trooper", end.plus(Duration.ofHours(2)));
        String dup = send(started(cross, consumer, "tensordock", "RTX 4090", "1.10", crossStart, "td-roll-1"));
        send(started(cross, consumer, "tensordock", "RTX 4090", "1.10", crossStart, "td-roll-1"), dup);
        eventIds.add(dup);
        eventIds.add(send(replayStart));
        eventIds.add(send(replayStop));
        eventIds.add(send(stopped(cross, consumer, "tensordock", Instant.parse("2026-11-01T03:00:00Z"))));
        String ids = "'" + String.join("', '", eventIds) + "'";
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> String.valueOf(eventIds.size())
                        .equals(sql(
                                "select count(*) from billing.processed_messages where event_id in (" + ids + ")")));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(cross) && ended(late));

        // the rollup is the ledger, to the last digit, for every session of every test so far
        assertThat(sql(DIFFERENCES)).as("rollup vs ledger").isEqualTo("0");
        assertThat(sql("select count(*) from billing.daily_costs where consumer_id = '" + consumer + "'"))
                .as("one row per session and day")
                .isEqualTo(sql("select count(distinct (session_id, (minute at time zone 'UTC')::date))"
                        + " from billing.ledger_entries where consumer_id = '" + consumer + "'"));
        assertThat(sql("select sum(amount) from billing.daily_costs where session_id = '" + run + "'"))
                .isEqualTo(sql("select sum(amount) from billing.ledger_entries where session_id = '" + run + "'"));

        // and every costs answer served from it equals what the raw minute rows give
        LocalDate today = LocalDate.ofInstant(start, ZoneOffset.UTC);
        assertAnswerMatchesRawLedger(costs(consumer, Map.of("period", "daily")), consumer, null, null, "daily");
        assertAnswerMatchesRawLedger(costs(consumer, Map.of("period", "monthly")), consumer, null, null, "monthly");
        assertAnswerMatchesRawLedger(
                costs(consumer, Map.of("start_date", "2026-11-01", "end_date", "2026-11-01", "period", "daily")),
                consumer,
                LocalDate.parse("2026-11-01"),
                LocalDate.parse("2026-11-01"),
                "daily");
        assertAnswerMatchesRawLedger(
                costs(consumer, Map.of("end_date", "2026-10-31")), consumer, null, LocalDate.parse("2026-10-31"), null);
        assertAnswerMatchesRawLedger(
                costs(consumer, Map.of("start_date", today.toString(), "end_date", today.toString())),
                consumer,
                today,
                today,
                null);
        JsonPath summary = given().queryParam("consumer_id", consumer)
                .get("/costs/summary")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        YearMonth month = YearMonth.parse(summary.getString("month"));
        assertAnswerMatchesRawLedger(summary, consumer, month.atDay(1), month.atEndOfMonth(), null);
        assertThat(dec(summary.get("total_cost"))).isPositive();
    }

    @Test
    void removingLedgerRowsRemovesTheirRollupRows() {
        String consumer = id("team-rollup-del");
        String s = id("sess-roll-del");
        Instant start = Instant.parse("2026-11-10T23:58:30Z");
        send(started(s, consumer, "trooper", "L40S", "3.60", start, "tr-roll-2"));
        send(stopped(s, consumer, "trooper", start.plus(Duration.ofMinutes(5))));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(s));
        assertThat(sql("select count(*) from billing.daily_costs where session_id = '" + s + "'"))
                .isEqualTo("2");
        TestStack.get()
                .postgres()
                .execute(
                        "gpubroker",
                        "delete from billing.ledger_entries where session_id = '" + s
                                + "' and minute >= '2026-11-11T00:00:00Z'");
        assertThat(sql(
                        "select string_agg(day || ' ' || amount || ' ' || seconds || ' ' || steps, ', ') from billing.daily_costs"
                                + " where session_id = '" + s + "'"))
                .isEqualTo("2026-11-10 0.0900000000 90.000 2");
        TestStack.get()
                .postgres()
                .execute("gpubroker", "delete from billing.ledger_entries where session_id = '" + s + "'");
        assertThat(sql("select count(*) from billing.daily_costs where session_id = '" + s + "'"))
                .isEqualTo("0");
    }
}
