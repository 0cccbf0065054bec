package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.GatewayFlowTests.consumer;
import static io.gpubroker.e2e.GatewayFlowTests.gw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Launch by requirements through the api-gateway: the broker ranks the matching offers itself and,
 * when the offer it chose has vanished at the provider, fails over to the next one, across providers,
 * with every attempt on the session.
 *
 * <p>Opt-in ({@code -Dbroker.e2e.requirements=true}) until it has passed on a quiet machine: written under a load of 30-44, its stack never finished starting.
 */
@EnabledIfSystemProperty(named = "broker.e2e.requirements", matches = "true")
class LaunchByRequirementsTests {

    @AfterEach
    void clearFaults() {
        E2EStack.simReset("vastai");
    }

    /** A GPU type whose best offer is on Vast, {@code vastFirst} Vast offers ahead of the first one on {@code other}. */
    record Plan(String gpuType, String other, int vastFirst, String firstOfferId) {}

    static final Comparator<JsonNode> RANK = Comparator.<JsonNode, BigDecimal>comparing(o -> new BigDecimal(
                            o.path("price_per_hour").asText())
                    .divide(BigDecimal.valueOf(Math.max(1, o.path("gpu_count").asInt())), 8, RoundingMode.HALF_UP))
            .thenComparing(o -> o.path("reliability").asDouble(0), Comparator.reverseOrder())
            .thenComparing(o -> o.path("id").asText());

    static boolean usable(JsonNode o) {
        return o.path("available").asBoolean()
                && !o.path("stale").asBoolean(false)
                && !o.path("suppressed").asBoolean(false);
    }

    static String norm(String s) {
        return s.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** The plan with the fewest Vast offers ahead of another provider's (1 to 4), from the live catalog. */
    static Plan plan(String[] auth) {
        AtomicReference<Plan> found = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    JsonNode all = call("GET", gw() + "/api/v1/inventory?limit=100000", null, auth)
                            .body()
                            .path("offers");
                    List<JsonNode> offers = new ArrayList<>();
                    all.forEach(o -> {
                        if (usable(o)) {
                            offers.add(o);
                        }
                    });
                    Plan best = null;
                    for (String type : offers.stream()
                            .map(o -> o.path("gpu_type").asText())
                            .distinct()
                            .toList()) {
                        // the broker asks inventory for gpu_type=TYPE: whole words of the type's name match
                        String q = " " + norm(type) + " ";
                        for (String other : List.of("barrack", "tensordock", "rackrr", "trooper")) {
                            List<JsonNode> ranked = offers.stream()
                                    .filter(o -> (" " + norm(o.path("gpu_type").asText()) + " ").contains(q))
                                    .filter(o -> List.of("vastai", other)
                                            .contains(o.path("provider").asText()))
                                    .sorted(RANK)
                                    .toList();
                            long vast = ranked.stream()
                                    .filter(o -> o.path("provider").asText().equals("vastai"))
                                    .count();
                            if (ranked.isEmpty() || vast > 40 || ranked.size() - vast > 40) {
                                continue; // the broker reads the first 50 of each search: keep the test's ranking its
                                // ranking
                            }
                            int firstOther = 0;
                            while (firstOther < ranked.size()
                                    && ranked.get(firstOther)
                                            .path("provider")
                                            .asText()
                                            .equals("vastai")) {
                                firstOther++;
                            }
                            if (firstOther >= 1
                                    && firstOther <= 4
                                    && firstOther < ranked.size()
                                    && (best == null || firstOther < best.vastFirst())) {
                                best = new Plan(
                                        type,
                                        other,
                                        firstOther,
                                        ranked.get(0).path("id").asText());
                            }
                        }
                    }
                    found.set(best);
                    return best != null;
                });
        return found.get();
    }

    @Test
    void aRequirementsSessionWhoseOfferVanishedAtVastEndsRunningOnAnotherProvider() throws Exception {
        String admin = E2EStack.get().adminKeyValue();
        String who = "team-req-" + UUID.randomUUID().toString().substring(0, 6);
        String[] auth = {"Authorization", "Bearer " + consumer(admin, who)};
        Plan plan = plan(auth);

        // every Vast ask is gone by the time it is rented: Vast's own answer, 400 no_such_ask
        E2EStack.simFault(
                "vastai",
                Map.of(
                        "op",
                        "create",
                        "status",
                        400,
                        "message",
                        "error 404/3603: no_such_ask  Instance type by id 1 is not available.",
                        "count",
                        50));
        E2EStack.Reply created = call(
                "POST",
                gw() + "/api/v1/sessions",
                Map.of(
                        "requirements",
                        Map.of("gpu_type", plan.gpuType(), "providers", List.of("vastai", plan.other())),
                        "workload_type",
                        "batch",
                        "reservation_hours",
                        1,
                        "max_retries",
                        5),
                auth);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        JsonNode session = created.body().path("session");
        String id = session.path("id").asText();
        assertThat(session.path("provider").asText())
                .as("the broker chose the best-ranked match, on Vast")
                .isEqualTo("vastai");
        assertThat(session.path("offer_id").asText()).isEqualTo(plan.firstOfferId());
        assertThat(session.path("requirements").path("gpu_type").asText()).isEqualTo(plan.gpuType());
        assertThat(session.path("auto_retry").asBoolean()).isTrue();

        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    JsonNode s = call("GET", gw() + "/api/v1/sessions/" + id, null, auth)
                            .body();
                    last.set(s);
                    assertThat(s.path("status").asText()).as(s.toString()).isNotIn("failed", "stopped");
                    return s.path("status").asText().equals("running");
                });
        JsonNode running = last.get();
        assertThat(running.path("provider").asText()).isEqualTo(plan.other());
        // inventory may suppress Vast's offers of the type after the first failures: fewer attempts, never more
        int failovers = running.path("retry_count").asInt();
        assertThat(failovers).isBetween(1, plan.vastFirst());
        JsonNode attempts = running.path("attempts");
        assertThat(attempts.size()).as(attempts.toString()).isEqualTo(failovers + 1);
        for (int i = 0; i < failovers; i++) {
            JsonNode a = attempts.get(i);
            assertThat(a.path("provider").asText()).isEqualTo("vastai");
            assertThat(a.path("outcome").asText()).isEqualTo("retried");
            assertThat(a.path("detail").asText()).contains("stale_inventory");
        }
        JsonNode ok = attempts.get(failovers);
        assertThat(ok.path("provider").asText()).isEqualTo(plan.other());
        assertThat(ok.path("outcome").asText()).isEqualTo("running");
        assertThat(attempts.findValuesAsText("offer_id")).doesNotHaveDuplicates();

        // the one key returned at the create opens the host the session ended up on
        String out = E2EStack.ssh(
                running.path("ssh_host").asText(),
                running.path("ssh_port").asInt(),
                running.path("ssh_user").asText(),
                created.body().path("ssh_private_key").asText(),
                "echo failover-ok");
        assertThat(out).contains("failover-ok");

        assertThat(call("POST", gw() + "/api/v1/sessions/" + id + "/done", null, auth)
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> call("GET", gw() + "/api/v1/sessions/" + id, null, auth)
                        .body()
                        .path("status")
                        .asText()
                        .equals("stopped"));
        SessionFaultsTests.nothingLeaked(plan.other(), id);
        SessionFaultsTests.nothingLeaked("vastai", id);
    }

    @Test
    void requirementsNothingMatchesAre409AndBadOnesAre400ThroughTheGateway() {
        String admin = E2EStack.get().adminKeyValue();
        String[] auth = {
            "Authorization",
            "Bearer "
                    + consumer(admin, "team-req-" + UUID.randomUUID().toString().substring(0, 6))
        };
        E2EStack.Reply none = call(
                "POST",
                gw() + "/api/v1/sessions",
                Map.of(
                        "requirements",
                        Map.of("gpu_type", "Voodoo 5500", "exclude_providers", List.of("trooper")),
                        "workload_type",
                        "batch",
                        "reservation_hours",
                        1),
                auth);
        assertThat(none.status()).as(none.body().toString()).isEqualTo(409);
        assertThat(none.body().path("error").asText()).contains("no offer matches the requirements");
        assertThat(none.body().path("error_type").asText()).isEqualTo("no_matching_offer");
        assertThat(none.body().path("request_id").asText()).isNotBlank();

        E2EStack.Reply bad = call(
                "POST",
                gw() + "/api/v1/sessions",
                Map.of(
                        "requirements",
                        Map.of("providers", List.of("nimbus")),
                        "workload_type",
                        "batch",
                        "reservation_hours",
                        1),
                auth);
        assertThat(bad.status()).as(bad.body().toString()).isEqualTo(400);
        assertThat(bad.body().path("error").asText()).contains("requirements.providers");
    }
}
