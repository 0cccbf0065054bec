package io.gpubroker.provider;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.gpubroker.provider.adapter.ErrorClass;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.adapter.ProviderSettings;
import io.gpubroker.provider.adapter.vastai.VastAiAdapter;
import io.gpubroker.provider.billing.BilledCostsReader;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.resilience.ProviderGuard;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.provider.support.Sim;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /providers/{provider}/billed-costs} against the real simulators: what each provider's
 * billing API says per instance, read exactly, through the provider's guard. Transient failures and
 * 429s are retried (honouring Retry-After), a provider that keeps failing opens its circuit breaker,
 * and a failed call is never an empty answer: the instance is skipped or the whole read is an error.
 * (These cases were billing-service's own provider calls before billing asked the gateway.)
 */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class BilledCostsTests {

    @AfterEach
    void clearFaults() {
        List.of("vastai", "rackrr", "barrack").forEach(Sim::clearFaults);
    }

    static String cfg(String provider, String key) {
        return ConfigProvider.getConfig().getValue("broker.providers." + provider + "." + key, String.class);
    }

    static Response billed(String provider, String... ids) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("instance_ids", List.of(ids)))
                .post("/providers/" + provider + "/billed-costs");
    }

    static BigDecimal accrued(String provider, String id) {
        return new BigDecimal(Sim.instance(provider, id).path("accrued_cost").asText());
    }

    /** A Barrack VM that ran and was deleted; returns its id. */
    static String deletedBarrackVm() {
        String vm = Sim.call("barrack", "POST", "/orphans", Map.of("tag", "billed-" + UUID.randomUUID()))
                .path("id")
                .asText();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> accrued("barrack", vm).signum() > 0);
        given().header("X-API-Key", cfg("barrack", "api-key"))
                .delete(cfg("barrack", "base-url") + "/instances/" + vm + "/")
                .then()
                .statusCode(200);
        return vm;
    }

    /** The sum of a Barrack instance's billing records, as its own API reports them. */
    static BigDecimal barrackRecords(String vm) {
        JsonPath billing = given().header("X-API-Key", cfg("barrack", "api-key"))
                .get(cfg("barrack", "base-url") + "/instances/" + vm + "/billing/")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        return billing.getList("data.billing_records.cost", String.class).stream()
                .map(c -> new BigDecimal(String.valueOf(c)))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    static BigDecimal cost(Response r, String id) {
        Object v = r.then().statusCode(200).extract().jsonPath().getMap("costs").get(id);
        return v == null ? null : new BigDecimal(String.valueOf(v));
    }

    @Test
    void barrackBillingIsTheSumOfTheInstancesBillingRecordsAndAnUnknownInstanceIsLeftOut() {
        String vm = deletedBarrackVm();
        Response r = billed("barrack", vm, "BRK-404-" + UUID.randomUUID());
        assertThat(cost(r, vm)).isEqualByComparingTo(barrackRecords(vm)).isPositive();
        JsonPath body = r.jsonPath();
        assertThat(body.getString("provider")).isEqualTo("barrack");
        assertThat(body.getMap("costs")).hasSize(1);
        assertThat(body.getMap("skipped")).isEmpty();
    }

    @Test
    void rackrrBillingIsTheVmsDebitsAndVastsIsItsInvoiceRows() {
        String vm = Sim.call("rackrr", "POST", "/orphans", Map.of("tag", "billed-" + UUID.randomUUID()))
                .path("id")
                .asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> accrued("rackrr", vm).signum() > 0);
        given().header("Authorization", "Bearer " + cfg("rackrr", "api-key"))
                .post(cfg("rackrr", "base-url") + "/vms/" + vm + "/terminate")
                .then()
                .statusCode(200);
        List<Map<String, Object>> tx = given().header("Authorization", "Bearer " + cfg("rackrr", "api-key"))
                .get(cfg("rackrr", "base-url") + "/wallets/transactions")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        BigDecimal debits = tx.stream()
                .filter(t -> vm.equals(String.valueOf(t.get("vm_id"))) && "debit".equals(t.get("type")))
                .map(t -> new BigDecimal(String.valueOf(t.get("amount"))))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(debits).isPositive();
        assertThat(cost(billed("rackrr", vm), vm)).isEqualByComparingTo(debits);

        String instance = Sim.call("vastai", "POST", "/orphans", Map.of("tag", "billed-" + UUID.randomUUID()))
                .path("id")
                .asText();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> accrued("vastai", instance).signum() > 0);
        given().header("Authorization", "Bearer " + cfg("vastai", "api-key"))
                .delete(cfg("vastai", "base-url") + "/instances/" + instance + "/")
                .then()
                .statusCode(200);
        assertThat(cost(billed("vastai", instance), instance))
                .isEqualByComparingTo(accrued("vastai", instance))
                .isPositive();
    }

    @Test
    void aFiveHundredAndA429WithRetryAfterAreRetriedAndTheReadSucceeds() {
        String vm = deletedBarrackVm();
        // one 503 only: the test profile's breaker opens at 2 failures in 4 calls
        Sim.fault("barrack", Map.of("op", "billing", "status", 503, "count", 1));
        Sim.fault("barrack", Map.of("op", "billing", "status", 429, "retry_after", 1, "count", 1));
        long t0 = System.nanoTime();
        Response r = billed("barrack", vm);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(Sim.call("barrack", "GET", "/faults", null).path("faults"))
                .as("every injected failure was met (and retried)")
                .isEmpty();
        assertThat(took).as("the 429's Retry-After was waited").isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(cost(r, vm)).isEqualByComparingTo(barrackRecords(vm));
        assertThat(r.jsonPath().getMap("skipped")).isEmpty();
    }

    @Test
    void anInstanceWhoseCallKeepsFailingIsSkippedNotZeroAndTheNextReadMeasuresIt() {
        String vm = deletedBarrackVm();
        // the call and its three retries are throttled (429 is no outage: the breaker stays closed)
        Sim.fault("barrack", Map.of("op", "billing", "status", 429, "count", 4));
        JsonPath partial =
                billed("barrack", vm).then().statusCode(200).extract().jsonPath();
        assertThat(Sim.call("barrack", "GET", "/faults", null).path("faults")).isEmpty();
        assertThat(partial.getMap("costs")).doesNotContainKey(vm);
        assertThat(partial.getMap("skipped")).containsKey(vm);
        assertThat(partial.getString("skipped.'" + vm + "'")).contains("HTTP 429");

        assertThat(cost(billed("barrack", vm), vm)).isEqualByComparingTo(barrackRecords(vm));
    }

    @Test
    void aProviderThatKeepsFailingOpensItsBreakerAndEveryInstanceIsSkippedNeverZero() {
        String vm = deletedBarrackVm();
        String other = "BRK-" + UUID.randomUUID();
        String third = "BRK-" + UUID.randomUUID();
        Sim.fault("barrack", Map.of("op", "billing", "status", 503, "count", 1000));

        JsonPath d = billed("barrack", vm, other, third)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        int calls = 1000
                - Sim.call("barrack", "GET", "/faults", null)
                        .path("faults")
                        .path(0)
                        .path("count")
                        .asInt();
        assertThat(d.getMap("costs")).isEmpty();
        assertThat(d.getMap("skipped")).containsOnlyKeys(vm, other, third);
        assertThat(d.getMap("skipped").values())
                .anySatisfy(m -> assertThat(String.valueOf(m)).contains("circuit breaker is open"));
        // without the breaker every instance would be tried four times
        assertThat(calls).as("calls that reached the provider").isLessThan(4 * 3);

        // the provider recovers: after the breaker's delay a trial call closes it and the read measures again
        Sim.clearFaults("barrack");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> cost(billed("barrack", vm), vm) != null);
        assertThat(cost(billed("barrack", vm), vm)).isEqualByComparingTo(barrackRecords(vm));
    }

    @Test
    void anErrorInside200IsAnErrorAnswerNotZeroCost() {
        Sim.fault("rackrr", Map.of("op", "transactions", "error_200", true, "message", "wallet service degraded"));
        billed("rackrr", "rk-" + UUID.randomUUID())
                .then()
                .statusCode(502)
                .body("error", org.hamcrest.Matchers.containsString("without usable billing data"))
                .body("error", org.hamcrest.Matchers.containsString("wallet service degraded"))
                .body("error_type", org.hamcrest.Matchers.is("transient"))
                .body("retry_suggested", org.hamcrest.Matchers.is(true));
    }

    @Test
    void aProviderThatRefusesTheKeyFailsTheWholeReadAsAuthWithoutTheKey() {
        String vm = deletedBarrackVm();
        Sim.fault("barrack", Map.of("op", "billing", "status", 401, "count", 1));
        String body = billed("barrack", vm, "BRK-" + UUID.randomUUID())
                .then()
                .statusCode(502)
                .body("error_type", org.hamcrest.Matchers.is("auth"))
                .body("provider_status", org.hamcrest.Matchers.is(401))
                .body("retry_suggested", org.hamcrest.Matchers.is(false))
                .extract()
                .asString();
        assertThat(body).contains("401").doesNotContain(cfg("barrack", "api-key"));
    }

    @Test
    void aProviderWithoutBillingApiOrNotEnabledOrAnEmptyQuestionIsRefused() {
        billed("tensordock", "x").then().statusCode(400);
        billed("nosuch", "x").then().statusCode(404);
        billed("barrack").then().statusCode(400);
        given().get("/providers")
                .then()
                .statusCode(200)
                .body("providers.find { it.provider == 'barrack' }.billed_costs", org.hamcrest.Matchers.is(true))
                .body("providers.find { it.provider == 'tensordock' }.billed_costs", org.hamcrest.Matchers.is(false));
    }

    @Test
    void aProviderThatCannotBeReachedIsRetriedWithBackOffThenAnErrorNeverAnEmptyAnswer() {
        ProviderSettings s = new ProviderSettings(
                "vastai",
                new SmallRyeConfigBuilder()
                        .withDefaultValues(Map.of(
                                "broker.providers.vastai.base-url",
                                "http://127.0.0.1:1",
                                "broker.providers.vastai.api-key",
                                "unreachable-key",
                                "broker.providers.vastai.enabled",
                                "true",
                                "broker.providers.vastai.retry-delay",
                                "100ms",
                                "broker.providers.vastai.retry-jitter",
                                "1ms",
                                "broker.providers.vastai.retry-max-delay",
                                "1s"))
                        .build());
        var vast = new Providers.Provider(
                "vastai", s, new VastAiAdapter(s), new ProviderGuard(s, new SimpleMeterRegistry()));
        long t0 = System.nanoTime();
        ProviderException e =
                catchThrowableOfType(ProviderException.class, () -> new BilledCostsReader().read(vast, List.of("777")));
        assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(e.getMessage()).contains("cannot connect").doesNotContain("unreachable-key");
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .as("retried with back-off before giving up")
                .isGreaterThanOrEqualTo(Duration.ofMillis(650));
    }
}
