package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import io.gpubroker.billing.reconcile.DriftReconciler;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Provider reconciliation against real simulators over HTTP: drift within 1 % when billing agrees, measured when it does not. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
@QuarkusTestResource(SimulatorsResource.class)
class DriftTests {

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

    @BeforeAll
    static void setUp() {
        TestStack.get().registerOutbox("billing");
        // simulator instance ids restart with each simulator: ledger rows of earlier runs would match new instances
        TestStack.get().postgres().execute("gpubroker",
                "delete from billing.billed_sessions where provider in ('vastai', 'rackrr', 'barrack') and instance_id is not null");
    }

    static JsonPath orphan(String control, String tag) {
        return given().contentType(ContentType.JSON).body("{\"tag\": \"" + tag + "\"}").post(control + "/orphans")
                .then().statusCode(201).extract().jsonPath();
    }

    static BigDecimal accrued(String control, String id) {
        List<Map<String, Object>> all = given().get(control + "/instances").then().statusCode(200).extract().jsonPath()
                .getList("instances");
        return all.stream().filter(m -> id.equals(m.get("id"))).map(m -> new BigDecimal(m.get("accrued_cost").toString()))
                .findFirst().orElseThrow();
    }

    /** A Barrack VM billed for ~30 simulated minutes and deleted; the broker saw the same start and end. */
    static String barrackSessionBilledLikeTheProvider(String barrackControl, String barrackBase, String barrackKey) {
        String tag = "drift-barrack-" + UUID.randomUUID();
        String vm = orphan(barrackControl, tag).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> accrued(barrackControl, vm).compareTo(new BigDecimal("0.2")) > 0);
        given().header("X-API-Key", barrackKey).delete(barrackBase + "/instances/" + vm + "/").then().statusCode(200);
        JsonPath billing = given().header("X-API-Key", barrackKey).get(barrackBase + "/instances/" + vm + "/billing/")
                .then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> records = billing.getList("data.billing_records");
        Instant start = Instant.parse(records.get(0).get("start").toString());
        Instant end = Instant.parse(records.get(records.size() - 1).get("end").toString());
        String rate = billing.getString("data.hourly_rate");
        String session = "sess-" + tag;
        send(started(session, "team-drift", "barrack", "RTX-A6000", rate, start, vm));
        send(stopped(session, "team-drift", "barrack", end));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(session));
        return vm;
    }

    DriftReconciler.ProviderDrift measured(List<DriftReconciler.ProviderDrift> all, String provider) {
        return all.stream().filter(d -> provider.equals(d.provider())).findFirst().orElseThrow();
    }

    @Test
    void barrackBillingAgreesWithTheLedgerWithinOnePercent() throws Throwable {
        barrackSessionBilledLikeTheProvider(barrackControl, barrackBase, barrackKey);
        try (KafkaProbe costs = KafkaProbe.tail(Topics.COST_EVENTS)) {
            List<DriftReconciler.ProviderDrift> all = VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcileAll());
            DriftReconciler.ProviderDrift d = measured(all, "barrack");
            assertThat(d.status()).isEqualTo("ok");
            assertThat(d.instances()).isGreaterThanOrEqualTo(1);
            assertThat(d.providerCost()).isGreaterThan(new BigDecimal("0.2"));
            assertThat(d.driftRatio().abs()).isLessThanOrEqualTo(new BigDecimal("0.01"));
            List<ConsumerRecord<String, String>> seen = costs.pollUntil(Duration.ofSeconds(30), r -> "barrack".equals(r.key()));
            assertThat(seen).filteredOn(r -> "barrack".equals(r.key()))
                    .extracting(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)).contains("ProviderDriftMeasured");
        }
        given().get("/costs/drift").then().statusCode(200).body(containsString("\"provider\":\"barrack\""))
                .body(containsString("\"target_ratio\":0.01"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("gpu_provider_cost_drift_ratio{provider=\"barrack\"}"));
    }

    @Test
    void aLedgerPricedFivePercentHigherThanRackrrShowsAsDrift() throws Throwable {
        String tag = "drift-rackrr-" + UUID.randomUUID();
        JsonPath vm = orphan(rackrrControl, tag);
        String id = vm.getString("id");
        Instant start = Instant.parse(vm.getString("created_at"));
        BigDecimal price = new BigDecimal(vm.getString("price_per_hour"));
        // the simulator starts billing a few real milliseconds after created_at; a longer run keeps that under 0.5 %
        await().atMost(Duration.ofSeconds(30)).until(() -> accrued(rackrrControl, id).compareTo(new BigDecimal("0.5")) > 0);
        given().header("Authorization", "Bearer " + rackrrKey).post(rackrrBase + "/vms/" + id + "/terminate").then().statusCode(200);
        List<Map<String, Object>> tx = given().header("Authorization", "Bearer " + rackrrKey).get(rackrrBase + "/wallets/transactions")
                .then().statusCode(200).extract().jsonPath().getList("$");
        Instant end = tx.stream().filter(t -> id.equals(t.get("vm_id"))).map(t -> Instant.parse(t.get("created_at").toString()))
                .findFirst().orElseThrow();
        String session = "sess-" + tag;
        send(started(session, "team-drift", "rackrr", "RTX 4090", price.multiply(new BigDecimal("1.05")).toPlainString(), start, id));
        send(stopped(session, "team-drift", "rackrr", end));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(session));

        DriftReconciler.ProviderDrift d = VertxContextSupport.subscribeAndAwait(
                () -> reconciler.reconcile("rackrr", new DriftReconciler.Endpoint(rackrrBase, rackrrKey)));
        assertThat(d.status()).isEqualTo("ok");
        assertThat(d.driftRatio()).isBetween(new BigDecimal("0.04"), new BigDecimal("0.06"));
        assertThat(d.detail()).contains("above");
    }

    @Test
    void aProviderThatRejectsTheKeyIsRecordedAsAnErrorNotAsZeroDrift() throws Throwable {
        barrackSessionBilledLikeTheProvider(barrackControl, barrackBase, barrackKey);
        DriftReconciler.ProviderDrift d = VertxContextSupport.subscribeAndAwait(
                () -> reconciler.reconcile("barrack", new DriftReconciler.Endpoint(barrackBase, "wrong-key")));
        assertThat(d.status()).isEqualTo("error");
        assertThat(d.driftRatio()).isNull();
        assertThat(d.detail()).contains("401").doesNotContain("wrong-key");
    }
}
