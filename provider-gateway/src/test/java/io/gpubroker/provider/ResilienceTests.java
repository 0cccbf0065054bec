package io.gpubroker.provider;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;

import io.gpubroker.provider.adapter.ErrorClass;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.provider.support.Sim;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rate-limit back-off, retries and the per-provider circuit breaker against real simulator faults. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class ResilienceTests {

    @Inject
    Providers providers;

    @Inject
    MeterRegistry metrics;

    @AfterEach
    void clear() {
        List.of("vastai", "rackrr", "barrack").forEach(Sim::clearFaults);
    }

    double waits(String provider) {
        var t = metrics.find("gpu.provider.rate.limit.waits")
                .tag("provider", provider)
                .timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void a429WithRetryAfterPausesTheProviderForThatLongAndTheCallThenSucceeds() {
        var p = providers.get("rackrr").orElseThrow();
        double before = waits("rackrr");
        Sim.fault("rackrr", Map.of("op", "offers", "status", 429, "retry_after", 1, "count", 1));
        long start = System.nanoTime();
        var offers = p.guard().call("offers", () -> p.adapter().fetchOffers(Instant.now()));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(offers).isNotEmpty();
        assertThat(tookMs).isGreaterThanOrEqualTo(950);
        assertThat(waits("rackrr")).isGreaterThan(before);
        assertThat(metrics.find("gpu.provider.api.errors")
                        .tags("provider", "rackrr", "operation", "offers")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void a429WithoutRetryAfterBacksOffExponentiallyAndGivesUpAsRateLimited() {
        var p = providers.get("vastai").orElseThrow();
        Sim.fault("vastai", Map.of("op", "get", "status", 429, "count", 2));
        long start = System.nanoTime();
        p.guard().call("describe", () -> p.adapter().describe("1", List.of()));
        // 200 ms then 400 ms of provider pause before the third attempt
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(550);
        Sim.fault("vastai", Map.of("op", "get", "status", 429, "count", 20));
        ProviderException e = catchThrowableOfType(
                ProviderException.class,
                () -> p.guard().call("describe", () -> p.adapter().describe("1", List.of())));
        assertThat(e.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
    }

    @Test
    void theBreakerOpensOnAnOutageFailsFastAndRecoversWhenTheProviderIsBack() {
        var p = providers.get("barrack").orElseThrow();
        Sim.fault("barrack", Map.of("op", "get", "status", 503, "count", 200));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try {
                p.guard().call("describe", () -> p.adapter().describe("BRK-1234567", List.of()));
            } catch (ProviderException ignored) {
                // counted by the breaker
            }
            return p.guard().circuitState() == CircuitBreakerState.OPEN;
        });
        long start = System.nanoTime();
        ProviderException open = catchThrowableOfType(
                ProviderException.class,
                () -> p.guard().call("describe", () -> p.adapter().describe("BRK-1234567", List.of())));
        assertThat(open.getMessage()).contains("circuit breaker is open");
        assertThat(open.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(200);
        given().get("/providers")
                .then()
                .statusCode(200)
                // half_open once the breaker delay passed on a slow machine: either way not closed
                .body(
                        "providers.find { it.provider == 'barrack' }.circuit_state",
                        org.hamcrest.Matchers.oneOf("open", "half_open"));
        // another provider is not affected by barrack's outage
        var rackrr = providers.get("rackrr").orElseThrow();
        assertThat(rackrr.guard().circuitState()).isEqualTo(CircuitBreakerState.CLOSED);

        Sim.clearFaults("barrack");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> p.guard().call("describe", () -> p.adapter().describe("BRK-1234567", List.of())) != null
                        && p.guard().circuitState() == CircuitBreakerState.CLOSED);
        given().get("/providers").then().statusCode(200).body("providers.circuit_state", hasItem("closed"));
    }
}
