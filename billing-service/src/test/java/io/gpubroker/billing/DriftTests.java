package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.gpubroker.billing.domain.ProviderDrift;
import io.gpubroker.billing.service.DriftReconciler;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Provider reconciliation against what provider-gateway reports the provider billed: drift within
 * 1 % when billing agrees, measured when it does not, an error (never zero drift) when the gateway
 * could not read the provider's billing. The provider side is billed the way providers bill: the
 * hourly price pro-rated to the exact second of an un-aligned start and end.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
@QuarkusTestResource(FakeProviderGateway.class)
class DriftTests {

    @Inject
    DriftReconciler reconciler;

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
        // instance ids of earlier runs would be measured again against this run's gateway answers
        TestStack.get()
                .postgres()
                .execute(
                        "gpubroker",
                        "delete from billing.billed_sessions where provider in ('vastai', 'rackrr', 'barrack') and instance_id is not null");
    }

    @AfterEach
    void clearFailures() {
        FakeProviderGateway.reset();
    }

    /** What a provider bills for [start, end) at {@code price} per hour, to the second. */
    static BigDecimal providerBill(String price, Instant start, Instant end) {
        return new BigDecimal(price)
                .multiply(BigDecimal.valueOf(Duration.between(start, end).toMillis()))
                .divide(BigDecimal.valueOf(3_600_000), 10, RoundingMode.HALF_UP);
    }

    /**
     * An ended session on {@code provider} whose instance ran {@code minutes} and some seconds at
     * {@code providerPrice}, billed by the broker at {@code brokerPrice}; the gateway reports the
     * provider's bill. Returns the instance id.
     */
    static String endedSession(String provider, String providerPrice, String brokerPrice, int minutes) {
        String instance = provider + "-vm-" + UUID.randomUUID();
        String session = "sess-drift-" + UUID.randomUUID();
        Instant start = Instant.now()
                .truncatedTo(ChronoUnit.MINUTES)
                .minus(Duration.ofMinutes(minutes + 5))
                .plusMillis(13_250);
        Instant end = start.plus(Duration.ofMinutes(minutes)).plusMillis(41_500);
        FakeProviderGateway.bill(provider, instance, providerBill(providerPrice, start, end));
        send(started(session, "team-drift", provider, "RTX-A6000", brokerPrice, start, instance));
        send(stopped(session, "team-drift", provider, end));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(session));
        return instance;
    }

    /** A Barrack VM billed for ~30 minutes, which the broker saw start and end at the same instants. */
    static String barrackSessionBilledLikeTheProvider() {
        return endedSession("barrack", "0.50", "0.50", 30);
    }

    static ProviderDrift measured(List<ProviderDrift> all, String provider) {
        return all.stream()
                .filter(d -> provider.equals(d.provider()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void barrackBillingAgreesWithTheLedgerWithinOnePercent() throws Throwable {
        barrackSessionBilledLikeTheProvider();
        try (KafkaProbe costs = KafkaProbe.tail(Topics.COST_EVENTS)) {
            List<ProviderDrift> all = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcileAll());
            ProviderDrift d = measured(all, "barrack");
            assertThat(d.status()).isEqualTo("ok");
            assertThat(d.instances()).isGreaterThanOrEqualTo(1);
            assertThat(d.providerCost()).isGreaterThan(new BigDecimal("0.2"));
            assertThat(d.driftRatio().abs()).isLessThanOrEqualTo(new BigDecimal("0.01"));
            List<ConsumerRecord<String, String>> seen =
                    costs.pollUntil(Duration.ofSeconds(30), r -> "barrack".equals(r.key()));
            assertThat(seen)
                    .filteredOn(r -> "barrack".equals(r.key()))
                    .extracting(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE))
                    .contains("ProviderDriftMeasured");
        }
        given().get("/costs/drift")
                .then()
                .statusCode(200)
                .body(containsString("\"provider\":\"barrack\""))
                .body(containsString("\"target_ratio\":0.01"));
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("gpu_provider_cost_drift_ratio{provider=\"barrack\"}"));
    }

    @Test
    void aLedgerPricedFivePercentHigherThanRackrrShowsAsDrift() throws Throwable {
        endedSession(
                "rackrr",
                "1.20",
                new BigDecimal("1.20").multiply(new BigDecimal("1.05")).toPlainString(),
                40);
        try (KafkaProbe costs = KafkaProbe.tail(Topics.COST_EVENTS)) {
            ProviderDrift d = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile("rackrr"));
            assertThat(d.status()).isEqualTo("ok");
            assertThat(d.driftRatio()).isBetween(new BigDecimal("0.04"), new BigDecimal("0.06"));
            assertThat(d.detail()).contains("above");
            // over the 1 % alert threshold: an alert event through the outbox, and the alert counter
            List<ConsumerRecord<String, String>> seen = costs.pollUntil(
                    Duration.ofSeconds(30),
                    r -> "rackrr".equals(r.key())
                            && "ProviderDriftAlert".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)));
            ConsumerRecord<String, String> alert = seen.stream()
                    .filter(r -> "ProviderDriftAlert".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)))
                    .findFirst()
                    .orElseThrow();
            var event = (io.gpubroker.contracts.ProviderDriftAlert)
                    EventCatalog.fromJson("ProviderDriftAlert", alert.value());
            assertThat(event.driftRatio()).isEqualByComparingTo(d.driftRatio());
            assertThat(event.thresholdRatio()).isEqualByComparingTo("0.01");
        }
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("gpu_provider_cost_drift_alerts_total{provider=\"rackrr\"}"));
        // the day's row: broker vs provider in money and percent, flagged as alerted
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        given().get("/costs/drift")
                .then()
                .statusCode(200)
                .body("alert_threshold", org.hamcrest.Matchers.notNullValue())
                .body("days.find { it.provider == 'rackrr' && it.day == '" + today + "' }.alerted", equalTo(true))
                .body(
                        "days.find { it.provider == 'rackrr' && it.day == '" + today + "' }.drift_percent",
                        org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void aProviderThatRejectsTheKeyIsRecordedAsAnErrorNotAsZeroDrift() throws Throwable {
        String vm = barrackSessionBilledLikeTheProvider();
        FakeProviderGateway.fail(
                "barrack",
                502,
                "barrack billing of " + vm + ": HTTP 401 {\"error\":\"not_authenticated\"}",
                "auth",
                401);
        ProviderDrift d = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile("barrack"));
        assertThat(d.status()).isEqualTo("error");
        assertThat(d.driftRatio()).isNull();
        assertThat(d.detail()).contains("401").contains("HTTP 502");
    }

    @Test
    void onlyProvidersTheGatewayCanReadAreReconciledAndAFailedListingRecordsNothing() throws Throwable {
        barrackSessionBilledLikeTheProvider();
        List<ProviderDrift> all = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcileAll());
        assertThat(all).extracting(ProviderDrift::provider).containsExactly("vastai", "rackrr", "barrack");

        String before = SessionEvents.sql("select count(*) from billing.provider_drift");
        FakeProviderGateway.failListing(503);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcileAll()))
                .hasMessageContaining("HTTP 503");
        assertThat(SessionEvents.sql("select count(*) from billing.provider_drift"))
                .as("nothing recorded, least of all zero")
                .isEqualTo(before);
    }
}
