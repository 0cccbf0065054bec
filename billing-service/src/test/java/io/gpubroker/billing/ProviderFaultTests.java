package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import io.gpubroker.billing.reconcile.DriftReconciler;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Provider billing calls under the simulators' fault API: transient failures and 429s are retried
 * (honouring Retry-After), a provider that keeps failing opens its circuit breaker, and a failed call
 * is never read as zero cost: the run is an error or the instance is skipped, and the next run measures it.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
@QuarkusTestResource(SimulatorsResource.class)
class ProviderFaultTests {

    @Inject
    DriftReconciler reconciler;

    @ConfigProperty(name = "broker.providers.barrack.base-url")
    String barrackBase;
    @ConfigProperty(name = "broker.providers.barrack.api-key")
    String barrackKey;
    @ConfigProperty(name = "test.sim.barrack.control-url")
    String barrackControl;
    @ConfigProperty(name = "broker.providers.rackrr.base-url")
    String rackrrBase;
    @ConfigProperty(name = "broker.providers.rackrr.api-key")
    String rackrrKey;
    @ConfigProperty(name = "test.sim.rackrr.control-url")
    String rackrrControl;
    @ConfigProperty(name = "broker.providers.vastai.api-key")
    String vastKey;

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
    }

    @AfterEach
    void clearFaults() {
        given().delete(barrackControl + "/faults").then().statusCode(200);
        given().delete(rackrrControl + "/faults").then().statusCode(200);
    }

    static void fault(String control, String rule) {
        given().contentType(ContentType.JSON).body(rule).post(control + "/faults").then().statusCode(201);
    }

    static List<Map<String, Object>> faults(String control) {
        return given().get(control + "/faults").then().statusCode(200).extract().jsonPath().getList("faults");
    }

    /** An ended session on {@code provider} whose instance the provider never had (the broker side is all a failure needs). */
    static void sessionWithInstance(String provider, String instanceId) {
        String s = "sess-fault-" + UUID.randomUUID();
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
        send(started(s, "team-fault", provider, "RTX 4090", "0.80", start, instanceId));
        send(stopped(s, "team-fault", provider, start.plus(Duration.ofMinutes(12))));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(s));
    }

    DriftReconciler.ProviderDrift reconcile(String provider, String base, String key) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile(provider, new DriftReconciler.Endpoint(base, key)));
    }

    DriftReconciler.ProviderDrift barrack() throws Throwable {
        return reconcile("barrack", barrackBase, barrackKey);
    }

    @Test
    void fiveHundredsAndA429WithRetryAfterAreRetriedAndTheRunMeasures() throws Throwable {
        DriftTests.barrackSessionBilledLikeTheProvider(barrackControl, barrackBase, barrackKey);
        fault(barrackControl, "{\"op\": \"billing\", \"status\": 503, \"count\": 2}");
        fault(barrackControl, "{\"op\": \"billing\", \"status\": 429, \"retry_after\": 2, \"count\": 1}");
        long t0 = System.nanoTime();
        DriftReconciler.ProviderDrift d = barrack();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(faults(barrackControl)).as("every injected failure was met (and retried)").isEmpty();
        assertThat(took).as("the 429's Retry-After was waited").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(d.status()).isEqualTo("ok");
        assertThat(d.skipped()).isZero();
        assertThat(d.instances()).isGreaterThanOrEqualTo(1);
        assertThat(d.driftRatio().abs()).isLessThanOrEqualTo(new BigDecimal("0.01"));
    }

    @Test
    void anInstanceWhoseCallKeepsFailingIsSkippedNotZeroAndTheNextRunMeasuresIt() throws Throwable {
        DriftTests.barrackSessionBilledLikeTheProvider(barrackControl, barrackBase, barrackKey);
        sessionWithInstance("barrack", "fault-vm-" + UUID.randomUUID());
        DriftReconciler.ProviderDrift clean = barrack();
        assertThat(clean.status()).isEqualTo("ok");
        int all = clean.instances() + clean.unmatched();

        // one call and its three retries are throttled (429 is no outage: the breaker stays closed)
        fault(barrackControl, "{\"op\": \"billing\", \"status\": 429, \"count\": 4}");
        DriftReconciler.ProviderDrift partial = barrack();
        assertThat(faults(barrackControl)).isEmpty();
        assertThat(partial.skipped()).isEqualTo(1);
        assertThat(partial.instances() + partial.unmatched()).isEqualTo(all - 1);
        assertThat(partial.detail()).contains("1 instance(s) skipped, retried next run").contains("HTTP 429");
        if (partial.instances() > 0) {
            assertThat(partial.status()).isEqualTo("ok");
            assertThat(partial.driftRatio().abs()).isLessThanOrEqualTo(new BigDecimal("0.01"));
        }

        DriftReconciler.ProviderDrift next = barrack();
        assertThat(next.status()).isEqualTo("ok");
        assertThat(next.skipped()).isZero();
        assertThat(next.instances()).isEqualTo(clean.instances());
        assertThat(next.providerCost()).isEqualByComparingTo(clean.providerCost());
    }

    @Test
    void aProviderThatKeepsFailingOpensItsBreakerAndIsAnErrorNeverZero() throws Throwable {
        DriftTests.barrackSessionBilledLikeTheProvider(barrackControl, barrackBase, barrackKey);
        sessionWithInstance("barrack", "fault-vm-" + UUID.randomUUID());
        sessionWithInstance("barrack", "fault-vm-" + UUID.randomUUID());
        fault(barrackControl, "{\"op\": \"billing\", \"status\": 503, \"count\": 1000}");

        DriftReconciler.ProviderDrift d = barrack();
        int calls = 1000 - ((Number) faults(barrackControl).get(0).get("count")).intValue();
        assertThat(d.status()).isEqualTo("error");
        assertThat(d.driftRatio()).isNull();
        assertThat(d.instances()).isZero();
        assertThat(d.skipped()).isGreaterThanOrEqualTo(3);
        assertThat(d.detail()).contains("circuit breaker is open").contains("retried next run");
        // without the breaker every instance would be tried four times
        assertThat(calls).as("calls that reached the provider").isLessThan(4 * d.skipped()).isLessThanOrEqualTo(6);
        assertThat(SessionEvents.sql("select status || ' ' || coalesce(drift_ratio::text, 'none') || ' ' || skipped"
                + " from billing.provider_drift where provider = 'barrack' order by id desc limit 1"))
                .as("what was recorded").isEqualTo("error none " + d.skipped());

        // the provider recovers: after the breaker's delay a trial call closes it and the run measures again
        given().delete(barrackControl + "/faults").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            try {
                return "ok".equals(barrack().status());
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        DriftReconciler.ProviderDrift recovered = barrack();
        assertThat(recovered.skipped()).isZero();
        assertThat(recovered.instances()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anErrorInside200OrNoConnectionIsAnErrorNotZeroCost() throws Throwable {
        sessionWithInstance("rackrr", "fault-rk-" + UUID.randomUUID());
        fault(rackrrControl, "{\"op\": \"transactions\", \"error_200\": true, \"message\": \"wallet service degraded\"}");
        DriftReconciler.ProviderDrift d = reconcile("rackrr", rackrrBase, rackrrKey);
        assertThat(d.status()).isEqualTo("error");
        assertThat(d.driftRatio()).isNull();
        assertThat(d.detail()).contains("without usable billing data").contains("wallet service degraded");

        sessionWithInstance("vastai", "777" + (System.nanoTime() % 100_000));
        long t0 = System.nanoTime();
        DriftReconciler.ProviderDrift refused = reconcile("vastai", "http://127.0.0.1:1", vastKey);
        assertThat(refused.status()).isEqualTo("error");
        assertThat(refused.driftRatio()).isNull();
        assertThat(refused.detail()).contains("vastai call failed").doesNotContain(vastKey);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("retried with back-off before giving up")
                .isGreaterThanOrEqualTo(Duration.ofMillis(100 + 200 + 400));
    }
}
