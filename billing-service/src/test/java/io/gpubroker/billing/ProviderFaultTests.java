package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.billing.domain.ProviderDrift;
import io.gpubroker.billing.service.DriftReconciler;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What billing makes of provider billing that could not be read (retries, Retry-After and circuit
 * breakers are provider-gateway's, tested there as BilledCostsTests): a failed gateway call is never
 * read as zero cost: the run is an error, or the instances the gateway skipped are counted as
 * skipped, and the next run measures them.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
@QuarkusTestResource(FakeProviderGateway.class)
class ProviderFaultTests {

    @Inject
    DriftReconciler reconciler;

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
    }

    @AfterEach
    void clearFaults() {
        FakeProviderGateway.reset();
    }

    /** An ended session on {@code provider} whose instance the provider never had (the broker side is all a failure needs). */
    static String sessionWithInstance(String provider, String instanceId) {
        String s = "sess-fault-" + UUID.randomUUID();
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
        send(started(s, "team-fault", provider, "RTX 4090", "0.80", start, instanceId));
        send(stopped(s, "team-fault", provider, start.plus(Duration.ofMinutes(12))));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(s));
        return instanceId;
    }

    ProviderDrift barrack() throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile("barrack"));
    }

    @Test
    void anInstanceTheGatewaySkippedIsSkippedNotZeroAndTheNextRunMeasuresIt() throws Throwable {
        DriftTests.barrackSessionBilledLikeTheProvider();
        String vm = sessionWithInstance("barrack", "fault-vm-" + UUID.randomUUID());
        FakeProviderGateway.bill("barrack", vm, new BigDecimal("0.16"));
        ProviderDrift clean = barrack();
        assertThat(clean.status()).isEqualTo("ok");
        int all = clean.instances() + clean.unmatched();

        FakeProviderGateway.skip("barrack", vm, "barrack billing of " + vm + ": HTTP 429 {\"error\":\"throttled\"}");
        ProviderDrift partial = barrack();
        assertThat(partial.skipped()).isEqualTo(1);
        assertThat(partial.instances() + partial.unmatched()).isEqualTo(all - 1);
        assertThat(partial.detail())
                .contains("1 instance(s) skipped, retried next run")
                .contains("HTTP 429");
        if (partial.instances() > 0) {
            assertThat(partial.status()).isEqualTo("ok");
            assertThat(partial.driftRatio().abs()).isLessThanOrEqualTo(new BigDecimal("0.01"));
        }

        FakeProviderGateway.reset();
        ProviderDrift next = barrack();
        assertThat(next.status()).isEqualTo("ok");
        assertThat(next.skipped()).isZero();
        assertThat(next.instances()).isEqualTo(clean.instances());
        assertThat(next.providerCost()).isEqualByComparingTo(clean.providerCost());
    }

    @Test
    void everyInstanceSkippedIsAnErrorNeverZero() throws Throwable {
        String a = sessionWithInstance("vastai", "fault-vast-" + UUID.randomUUID());
        FakeProviderGateway.bill("vastai", a, new BigDecimal("0.16"));
        FakeProviderGateway.skip("vastai", a, "unreadable amount \"n/a\"");
        ProviderDrift d = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile("vastai"));
        assertThat(d.status()).isEqualTo("error");
        assertThat(d.driftRatio()).isNull();
        assertThat(d.instances()).isZero();
        assertThat(d.skipped()).isGreaterThanOrEqualTo(1);
        assertThat(d.detail()).contains("no instance could be measured").contains("retried next run");
    }

    @Test
    void aProviderThatKeepsFailingIsAnErrorNeverZero() throws Throwable {
        DriftTests.barrackSessionBilledLikeTheProvider();
        sessionWithInstance("barrack", "fault-vm-" + UUID.randomUUID());
        FakeProviderGateway.fail("barrack", 502, "barrack circuit breaker is open", "transient", 0);

        ProviderDrift d = barrack();
        assertThat(d.status()).isEqualTo("error");
        assertThat(d.driftRatio()).isNull();
        assertThat(d.instances()).isZero();
        assertThat(d.skipped()).isGreaterThanOrEqualTo(2);
        assertThat(d.detail()).contains("circuit breaker is open");
        assertThat(SessionEvents.sql("select status || ' ' || coalesce(drift_ratio::text, 'none') || ' ' || skipped"
                        + " from billing.provider_drift where provider = 'barrack' order by id desc limit 1"))
                .as("what was recorded")
                .isEqualTo("error none " + d.skipped());

        // the provider recovers: the next run measures again
        FakeProviderGateway.reset();
        ProviderDrift recovered = barrack();
        assertThat(recovered.status()).isEqualTo("ok");
        assertThat(recovered.skipped()).isZero();
        assertThat(recovered.instances()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anErrorAnswerOrAGatewayOutageIsAnErrorNotZeroCost() throws Throwable {
        sessionWithInstance("rackrr", "fault-rk-" + UUID.randomUUID());
        FakeProviderGateway.fail(
                "rackrr",
                502,
                "rackrr answered without usable billing data: wallet service degraded",
                "transient",
                200);
        ProviderDrift d = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile("rackrr"));
        assertThat(d.status()).isEqualTo("error");
        assertThat(d.driftRatio()).isNull();
        assertThat(d.detail()).contains("without usable billing data").contains("wallet service degraded");

        sessionWithInstance("vastai", "777" + (System.nanoTime() % 100_000));
        FakeProviderGateway.fail("vastai", 503, "provider-gateway unavailable", "transient", 0);
        ProviderDrift refused = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile("vastai"));
        assertThat(refused.status()).isEqualTo("error");
        assertThat(refused.driftRatio()).isNull();
        assertThat(refused.detail()).contains("HTTP 503");
    }
}
