package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.provider.adapter.BrokerState;
import io.gpubroker.provider.adapter.ErrorClass;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.adapter.ProvisionSpec;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.support.Catalogs;
import io.gpubroker.provider.support.Commands;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.provider.support.Sim;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every error class from a real simulator answer, through the same guarded call the command handler
 * makes ({@code callOnce("create")}): the saga acts on these classes, so each must be exact.
 */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class ProviderErrorTests {

    @Inject
    Providers providers;

    /** Another test class may have opened a breaker with an outage on purpose: start from closed ones. */
    @org.junit.jupiter.api.BeforeEach
    void breakersClosed() {
        List.of("vastai", "tensordock", "rackrr", "barrack", "trooper").forEach(this::breakerClosed);
    }

    @AfterEach
    void settle() {
        for (String p : List.of("vastai", "tensordock", "rackrr", "barrack", "trooper")) {
            Sim.clearFaults(p);
        }
    }

    ErrorClass createFails(String provider, NormalisedOffer offer) {
        return createFails(provider, offer.provisioning());
    }

    ErrorClass createFails(String provider, Map<String, String> provisioning) {
        var p = providers.get(provider).orElseThrow();
        ProvisionSpec spec = new ProvisionSpec(
                "sess-err",
                "gpub-local-sess-err",
                "x",
                provisioning,
                null,
                1,
                null,
                List.of(Commands.publicLine(Commands.newKey(), "k")),
                null,
                null,
                "ssh",
                null,
                null,
                List.of(),
                Map.of(),
                null);
        ProviderException e = catchThrowableOfType(
                ProviderException.class,
                () -> p.guard().callOnce("create", () -> p.adapter().create(spec)));
        assertThat(e).as(provider + " create should fail").isNotNull();
        return e.errorClass();
    }

    void fault(String provider, String op, int status, String message) {
        Map<String, Object> rule = new HashMap<>(Map.of("op", op, "status", status, "count", 1));
        if (message != null) {
            rule.put("message", message);
        }
        Sim.fault(provider, rule);
    }

    /** Waits until the provider's breaker lets calls through again (a test may have opened it). */
    void breakerClosed(String provider) {
        var p = providers.get(provider).orElseThrow();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> p.guard().call("offers", () -> p.adapter().fetchOffers(Instant.now())) != null);
    }

    @Test
    void vastClassesStaleAskAuthFundsRateLimitTransientAndInvalid() {
        NormalisedOffer offer = Catalogs.provisionable(providers, "vastai");
        Sim.call("vastai", "POST", "/offers/" + offer.providerId() + "/gone", Map.of());
        assertThat(createFails("vastai", offer)).isEqualTo(ErrorClass.STALE_INVENTORY);
        Sim.call("vastai", "POST", "/offers/" + offer.providerId() + "/gone", Map.of("gone", false));
        fault("vastai", "create", 401, null);
        assertThat(createFails("vastai", offer)).isEqualTo(ErrorClass.AUTH);
        fault("vastai", "create", 402, "Your account does not have enough credit");
        assertThat(createFails("vastai", offer)).isEqualTo(ErrorClass.INSUFFICIENT_FUNDS);
        fault("vastai", "create", 400, "disk must be between 1 and 10 GB");
        assertThat(createFails("vastai", offer)).isEqualTo(ErrorClass.INVALID);
        Sim.fault("vastai", Map.of("op", "create", "status", 429, "count", 10));
        assertThat(createFails("vastai", offer)).isEqualTo(ErrorClass.RATE_LIMITED);
        Sim.clearFaults("vastai");
        Sim.fault("vastai", Map.of("op", "create", "status", 500, "count", 10));
        assertThat(createFails("vastai", offer)).isEqualTo(ErrorClass.TRANSIENT);
        Sim.clearFaults("vastai");
        breakerClosed("vastai");
    }

    @Test
    void tensorDockErrorsInsideHttp200AreStaleInventoryOrNoCapacityAndStatusesKeepTheirClass() {
        NormalisedOffer offer = Catalogs.provisionable(providers, "tensordock");
        Sim.fault(
                "tensordock",
                Map.of("op", "create", "error_200", true, "message", "No available nodes found", "count", 1));
        assertThat(createFails("tensordock", offer)).isEqualTo(ErrorClass.STALE_INVENTORY);
        Sim.fault(
                "tensordock",
                Map.of(
                        "op",
                        "create",
                        "error_200",
                        true,
                        "message",
                        "No available public IPs on hostnode",
                        "count",
                        1));
        assertThat(createFails("tensordock", offer)).isEqualTo(ErrorClass.NO_CAPACITY);
        fault("tensordock", "create", 401, "Unauthorized: invalid API token");
        assertThat(createFails("tensordock", offer)).isEqualTo(ErrorClass.AUTH);
        fault("tensordock", "create", 402, "Insufficient balance");
        assertThat(createFails("tensordock", offer)).isEqualTo(ErrorClass.INSUFFICIENT_FUNDS);
        Map<String, String> bad = new HashMap<>(offer.provisioning());
        bad.put("vcpu", "3");
        assertThat(createFails("tensordock", bad)).isEqualTo(ErrorClass.INVALID);
    }

    @Test
    void rackrrClassesNoCapacityStaleRefFundsAndAuth() {
        NormalisedOffer offer = Catalogs.provisionable(providers, "rackrr");
        Sim.call("rackrr", "POST", "/offers/" + offer.providerId() + "/capacity", Map.of("free_gpus", 0));
        assertThat(createFails("rackrr", offer)).isEqualTo(ErrorClass.NO_CAPACITY);
        Sim.call("rackrr", "POST", "/offers/" + offer.providerId() + "/capacity", Map.of("free_gpus", 8));
        Map<String, String> gone = new HashMap<>(offer.provisioning());
        gone.put("provider_ref", "000000000000000000000000");
        assertThat(createFails("rackrr", gone)).isEqualTo(ErrorClass.STALE_INVENTORY);
        fault("rackrr", "create", 402, "Insufficient wallet balance. Please top up your wallet.");
        assertThat(createFails("rackrr", offer)).isEqualTo(ErrorClass.INSUFFICIENT_FUNDS);
        fault("rackrr", "create", 401, "Unauthorized: invalid API token");
        assertThat(createFails("rackrr", offer)).isEqualTo(ErrorClass.AUTH);
    }

    @Test
    void barrackClassesStockGoneIsStaleInventoryBalanceIsFundsKeyTierIsAuth() {
        NormalisedOffer offer = Catalogs.provisionable(providers, "barrack");
        Map<String, String> p = offer.provisioning();
        Sim.call(
                "barrack",
                "POST",
                "/stock",
                Map.of(
                        "region",
                        p.get("region"),
                        "gpu_model",
                        p.get("gpu_model"),
                        "gpu_count",
                        Integer.parseInt(p.get("gpu_count")),
                        "available",
                        0));
        assertThat(createFails("barrack", offer)).isEqualTo(ErrorClass.STALE_INVENTORY);
        Sim.call(
                "barrack",
                "POST",
                "/stock",
                Map.of(
                        "region",
                        p.get("region"),
                        "gpu_model",
                        p.get("gpu_model"),
                        "gpu_count",
                        Integer.parseInt(p.get("gpu_count")),
                        "available",
                        5));
        Sim.call("barrack", "POST", "/balance", Map.of("balance", 0));
        assertThat(createFails("barrack", offer)).isEqualTo(ErrorClass.INSUFFICIENT_FUNDS);
        Sim.call("barrack", "POST", "/balance", Map.of("balance", 1000));
        fault("barrack", "create", 403, "This API key is scoped to the legacy tier.");
        assertThat(createFails("barrack", offer)).isEqualTo(ErrorClass.AUTH);
    }

    @Test
    void trooperClassesPriceEchoMismatchIsPriceChangedFullBlibIsNoCapacityUnknownBlibIsStale() {
        NormalisedOffer offer = Catalogs.provisionable(providers, "trooper");
        String blib = offer.provisioning().get("blib_id");
        double eur = Double.parseDouble(offer.provisioning().get("price_h"));
        Sim.call("trooper", "POST", "/blibs/" + blib + "/price", Map.of("price_h", eur + 0.11));
        assertThat(createFails("trooper", offer)).isEqualTo(ErrorClass.PRICE_CHANGED);
        Sim.call("trooper", "POST", "/blibs/" + blib + "/price", Map.of("price_h", eur));
        Sim.call("trooper", "POST", "/blibs/" + blib + "/capacity", Map.of("fitCount", 0));
        assertThat(createFails("trooper", offer)).isEqualTo(ErrorClass.NO_CAPACITY);
        Sim.call("trooper", "POST", "/blibs/" + blib + "/capacity", Map.of("fitCount", 3));
        Map<String, String> unknown = new HashMap<>(offer.provisioning());
        unknown.put("blib_id", "999999");
        assertThat(createFails("trooper", unknown)).isEqualTo(ErrorClass.STALE_INVENTORY);
        fault("trooper", "create", 400, "Insufficient budget");
        assertThat(createFails("trooper", offer)).isEqualTo(ErrorClass.INSUFFICIENT_FUNDS);
    }

    @Test
    void anUnknownInstanceIsGoneOnEveryProviderAndDestroyingItAgainIsSuccess() {
        Map<String, String> unknown = Map.of(
                "vastai",
                "999",
                "tensordock",
                "00000000-0000-0000-0000-000000000000",
                "rackrr",
                "000000000000000000000000",
                "barrack",
                "BRK-NOPE000",
                "trooper",
                "999999");
        unknown.forEach((provider, id) -> {
            var p = providers.get(provider).orElseThrow();
            assertThat(p.guard()
                            .call("describe", () -> p.adapter().describe(id, List.of()))
                            .brokerState())
                    .as(provider)
                    .isEqualTo(BrokerState.GONE);
            p.guard().call("destroy", () -> {
                p.adapter().destroy(id);
                return null;
            });
        });
    }
}
