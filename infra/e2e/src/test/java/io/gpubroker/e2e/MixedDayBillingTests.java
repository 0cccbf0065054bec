package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static io.gpubroker.e2e.SessionLifecycleTests.awaitStatus;
import static io.gpubroker.e2e.SessionLifecycleTests.firstOffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The proof of issue #18: a mixed day on the fast clock — a normal session on every provider, a host
 * that fails verification, a destroy the provider refuses several times, an injected orphan — and the
 * broker's ledger (session ledger + instance charges) against every simulator's own books
 * ({@code /_sim/instances}: what each instance really accrued), per provider, within 1 %. The drift
 * table is printed. The orphan belongs to no session the broker knows: its price cannot be known, so
 * billing records it unpriced (never guessed) and the table shows it as the explained difference.
 *
 * <p>Opt-in ({@code -Dbroker.e2e.mixedday=true}) until it has passed on a quiet machine: its 1 % holds only
 * if the simulators' billing start/stop and the gateway's provisioned_at/confirmed_at lie within about a
 * real second of each other at 60x (issue #18; not yet run).
 */
@EnabledIfSystemProperty(named = "broker.e2e.mixedday", matches = "true")
class MixedDayBillingTests {
    static final BigDecimal TOLERANCE = new BigDecimal("0.01");

    @AfterEach
    void clearFaults() {
        for (String p : SessionFaultsTests.PROVIDERS) {
            E2EStack.simReset(p);
        }
    }

    static String create(String consumer, String provider, int hours) {
        E2EStack.Reply r = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            JsonNode offer = firstOffer(provider);
            r = call(
                    "POST",
                    url("session-service") + "/sessions",
                    Map.of(
                            "consumer_id",
                            consumer,
                            "offer_id",
                            offer.path("id").asText(),
                            "workload_type",
                            "batch",
                            "reservation_hours",
                            hours));
            if (r.status() != 404 && r.status() != 503) {
                break;
            }
        }
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().path("session").path("id").asText();
    }

    static String sql(String query) {
        var pg = E2EStack.get().postgres();
        return pg.query(pg.database(), query);
    }

    static String in(List<String> ids) {
        return ids.stream().map(i -> "'" + i + "'").collect(Collectors.joining(","));
    }

    /** Every simulator instance of these sessions, by provider: id → accrued cost. */
    static Map<String, Map<String, BigDecimal>> simBooks(List<String> sessions, String orphanTag) {
        Map<String, Map<String, BigDecimal>> out = new LinkedHashMap<>();
        for (String p : SessionFaultsTests.PROVIDERS) {
            Map<String, BigDecimal> mine = new LinkedHashMap<>();
            for (JsonNode i : E2EStack.simInstances(p).path("instances")) {
                String tag = i.path("tag").asText("");
                if (sessions.stream().anyMatch(tag::contains) || tag.equals(orphanTag)) {
                    mine.put(
                            i.path("id").asText(),
                            new BigDecimal(i.path("accrued_cost").asText("0")));
                }
            }
            out.put(p, mine);
        }
        return out;
    }

    @Test
    void aMixedDayOnTheFastClockMatchesEverySimulatorsBillingWithinOnePercent() throws Exception {
        String consumer = "e2e-mixed-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> sessions = new ArrayList<>();

        // a host that reports another GPU: verification fails, the instance is destroyed (a failed launch)
        E2EStack.simFault("vastai", Map.of("op", "instance", "instance_fault", "gpu_mismatch", "count", 1));
        String failing = create(consumer, "vastai", 3);
        sessions.add(failing);
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> !call("GET", url("session-service") + "/sessions/" + failing, null)
                        .body()
                        .path("status")
                        .asText()
                        .equals("pending"));

        Map<String, String> normal = new LinkedHashMap<>();
        for (String p : SessionFaultsTests.PROVIDERS) {
            normal.put(p, create(consumer, p, 3));
        }
        sessions.addAll(normal.values());
        for (String id : normal.values()) {
            awaitStatus(id, "running");
        }
        // an orphan: a broker-tagged instance of a session this deployment never had
        String orphanTag =
                "gpub-local-sess-orphan" + UUID.randomUUID().toString().substring(0, 8);
        E2EStack.Reply orphan =
                call("POST", E2EStack.sim("rackrr").get("control_url") + "/orphans", Map.of("tag", orphanTag));
        assertThat(orphan.status()).isEqualTo(201);
        String orphanId = orphan.body().path("id").asText();

        // about an hour of broker time running
        Thread.sleep(60_000);
        E2EStack.simFault("trooper", Map.of("op", "destroy", "status", 503, "count", 6));
        for (String id : normal.values()) {
            call("POST", url("session-service") + "/sessions/" + id + "/done", null);
        }
        for (String id : sessions) {
            BillingBound.awaitEnded(id);
        }
        SessionFaultsTests.nothingLeaked("rackrr", orphanTag.substring("gpub-local-".length()));

        // billing has charged every instance the simulators had for these sessions (and the orphan)
        Map<String, Map<String, BigDecimal>> books = simBooks(sessions, orphanTag);
        List<String> instances =
                books.values().stream().flatMap(m -> m.keySet().stream()).toList();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> sql("select count(*) from billing.instance_charges where charged_at is not null"
                                + " and instance_id in (" + in(instances) + ")")
                        .equals(String.valueOf(instances.size())));
        books = simBooks(sessions, orphanTag);

        Map<String, BigDecimal> broker = new HashMap<>();
        for (String row : sql("select provider || '=' || sum(amount) from ("
                        + " select provider, amount from billing.ledger_entries where session_id in (" + in(sessions)
                        + ") union all select provider, amount from billing.instance_ledger_entries where instance_id in ("
                        + in(instances) + ")) x group by provider")
                .split("\n")) {
            if (row.contains("=")) {
                broker.put(row.split("=")[0].trim(), new BigDecimal(row.split("=")[1].trim()));
            }
        }
        BigDecimal orphanCost = books.get("rackrr").getOrDefault(orphanId, BigDecimal.ZERO);
        assertThat(sql("select note from billing.instance_charges where instance_id = '" + orphanId + "'"))
                .as("the orphan of an unknown session is recorded unpriced, never guessed")
                .contains("no price");

        StringBuilder table = new StringBuilder(String.format(
                "%n%-11s %14s %14s %12s %9s  %s%n",
                "provider", "broker USD", "provider USD", "drift USD", "drift %", "explained"));
        List<String> over = new ArrayList<>();
        for (String p : SessionFaultsTests.PROVIDERS) {
            BigDecimal theirs = books.get(p).values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            String explained = "";
            if (p.equals("rackrr") && orphanCost.signum() > 0) {
                theirs = theirs.subtract(orphanCost);
                explained = "orphan " + orphanId + " of an unknown session, unpriced: "
                        + orphanCost.setScale(6, RoundingMode.HALF_UP);
            }
            BigDecimal ours = broker.getOrDefault(p, BigDecimal.ZERO);
            BigDecimal drift = ours.subtract(theirs);
            BigDecimal pct = theirs.signum() == 0
                    ? BigDecimal.ZERO
                    : drift.multiply(BigDecimal.valueOf(100)).divide(theirs, 3, RoundingMode.HALF_UP);
            table.append(String.format(
                    "%-11s %14s %14s %12s %8s%%  %s%n",
                    p,
                    ours.setScale(6, RoundingMode.HALF_UP),
                    theirs.setScale(6, RoundingMode.HALF_UP),
                    drift.setScale(6, RoundingMode.HALF_UP),
                    pct,
                    explained));
            if (theirs.signum() > 0 && drift.abs().compareTo(theirs.multiply(TOLERANCE)) > 0) {
                over.add(p);
            }
        }
        table.append("instance charges: ")
                .append(sql("select string_agg(flag || ' ' || provider || ' ' || round(amount, 6), ', ') from ("
                        + "select flag, provider, sum(amount) as amount from billing.instance_ledger_entries where instance_id in ("
                        + in(instances) + ") group by 1, 2) x"));
        System.out.println("Mixed-day drift (broker ledger vs simulator billing truth):" + table);

        assertThat(sql(
                        "select count(*) from billing.instance_ledger_entries where flag = 'failed_attempt' and session_id = '"
                                + failing + "'"))
                .as("the failed verification's instance is charged")
                .isNotEqualTo("0");
        assertThat(over).as("providers over 1 %" + table).isEmpty();

        // the consumer's export totals its summary to the cent
        String csv = E2EStack.HTTP
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        url("billing-service") + "/costs/export?format=csv&consumer_id=" + consumer))
                                .header(
                                        io.gpubroker.testkit.TestStack.INTERNAL_HEADER,
                                        E2EStack.get().internalTokenValue())
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        String[] rows = csv.split("\r\n");
        BigDecimal exported = new BigDecimal(rows[rows.length - 1].split(",")[10]);
        JsonNode summary = call("GET", url("billing-service") + "/costs?consumer_id=" + consumer, null)
                .body();
        assertThat(exported).isEqualByComparingTo(summary.path("total_cost").decimalValue());
    }
}
