package io.gpubroker.inventory;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.Topics;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.health.OfferHealth;
import io.gpubroker.inventory.health.OutcomeApplier;
import io.gpubroker.inventory.repository.CatalogRepository;
import io.gpubroker.inventory.service.ReplicaSync;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #14: a second inventory replica's work (snapshots, poll failures, provisioning outcomes it
 * consumed from its own partitions) reaches this replica through the stored tables, and a replica
 * whose memory lags diffs a new snapshot against what is stored (no offer published twice).
 * "The other replica" writes exactly what CatalogService and ProvisioningRepliesConsumer write.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class ReplicaSyncTests {
    static final String P = "testcloud-r";
    /** Its own provider: snapshots of one provider must be later than the last, whatever order tests run in. */
    static final String LAG = "testcloud-s";

    @Inject
    OfferCatalog catalog;

    @Inject
    CatalogRepository repository;

    @Inject
    Mutiny.SessionFactory sessions;

    @Inject
    ReplicaSync sync;

    @Inject
    OfferHealth health;

    @Inject
    OutcomeApplier outcomes;

    @BeforeAll
    static void outbox() {
        TestStack.get().registerOutbox("inventory");
    }

    /** What another replica commits when it applies a snapshot. */
    void otherReplicaApplies(String provider, String snapshotId, Instant at, List<NormalisedOffer> offers)
            throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> sessions.withTransaction((db, tx) -> repository
                .upsert(db, offers)
                .chain(() -> repository.snapshotApplied(db, provider, snapshotId, at, offers.size()))));
    }

    void syncNow() throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> sync.sync());
    }

    static List<NormalisedOffer> offers(String provider, String run, Instant at, int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> Feed.offer(
                        provider, run + "-" + i, "RTX 4090", 1, 24, "0.4" + i, "Replicaland", 0.99, null, "rm" + i, at))
                .toList();
    }

    @Test
    void aSnapshotAndAPollFailureAnotherReplicaStoredAreServedHereAfterTheNextSync() throws Throwable {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant t1 = CatalogIngestTests.now();
        Catalogs.awaitApplied(catalog, P, Feed.snapshot(P, t1, offers(P, run, t1, 2), 10));
        Instant t2 = t1.plusSeconds(1);
        otherReplicaApplies(P, "other-" + run, t2, offers(P, run, t2, 3));
        given().get("/inventory/" + P + "-" + run + "-2").then().statusCode(404);

        syncNow();
        Catalogs.awaitApplied(catalog, P, "other-" + run);
        given().queryParam("provider", P)
                .get("/inventory")
                .then()
                .statusCode(200)
                .body("total", equalTo(3))
                .body("providers.'" + P + "'.status", equalTo("ok"));
        given().get("/inventory/" + P + "-" + run + "-2").then().statusCode(200);

        Instant failedAt = t2.plusSeconds(5);
        VertxContextSupport.subscribeAndAwait(() -> sessions.withTransaction(
                (db, tx) -> repository.pollFailed(db, P, failedAt, "rate_limited", "429 from the provider")));
        syncNow();
        given().queryParam("provider", P)
                .get("/inventory")
                .then()
                .statusCode(200)
                .body("providers.'" + P + "'.status", equalTo("poll_failed"))
                .body("total", equalTo(3));
    }

    @Test
    void anOutcomeAnotherReplicaConsumedCountsHereOnceWhicheverWayItArrives() throws Throwable {
        String offer = P + "-outcome-" + UUID.randomUUID().toString().substring(0, 8);
        String eventId = UUID.randomUUID().toString();
        VertxContextSupport.subscribeAndAwait(() -> sessions.withTransaction((db, tx) -> db.createNativeQuery(
                        "insert into inventory.provisioning_outcomes (event_id, outcome, provider, offer_id, machine_id, gpu_type,"
                                + " error_class, message, occurred_at) values (?1, 'failed', ?2, ?3, null, null, 'host_error', 'x', ?4)")
                .setParameter(1, eventId)
                .setParameter(2, P)
                .setParameter(3, offer)
                .setParameter(4, CatalogRepository.odt(Instant.now()))
                .executeUpdate()));
        assertThat(failures(offer)).isZero();

        syncNow();
        assertThat(failures(offer)).isEqualTo(1);
        syncNow(); // read again inside the look-back window
        assertThat(failures(offer)).isEqualTo(1);
        // ... and when the same event also arrives on this replica's own partition
        assertThat(outcomes.apply(new CatalogRepository.Outcome(
                        eventId, true, P, offer, null, null, "host_error", Instant.now(), null)))
                .isFalse();
        assertThat(failures(offer)).isEqualTo(1);
    }

    @Test
    void aReplicaWhoseMemoryLagsDiffsTheNextSnapshotAgainstTheStoredCatalog() throws Throwable {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant t1 = CatalogIngestTests.now();
        Catalogs.awaitApplied(catalog, LAG, Feed.snapshot(LAG, t1, offers(LAG, run, t1, 2), 10));
        // another replica applied (and published) offer -2; this replica's memory has not followed
        Instant t2 = t1.plusSeconds(1);
        otherReplicaApplies(LAG, "other-" + run, t2, offers(LAG, run, t2, 3));
        try (KafkaProbe events = KafkaProbe.tail(Topics.OFFER_EVENTS)) {
            Instant t3 = t2.plusSeconds(1);
            Catalogs.awaitApplied(catalog, LAG, Feed.snapshot(LAG, t3, offers(LAG, run, t3, 4), 10));
            String fourth = LAG + "-" + run + "-3";
            events.pollUntil(Duration.ofSeconds(30), r -> fourth.equals(r.key()));
            List<ConsumerRecord<String, String>> seen = events.drain(Duration.ofSeconds(2));
            assertThat(CatalogIngestTests.types(seen, "OfferPublished"))
                    .contains(fourth)
                    .doesNotContain(LAG + "-" + run + "-2", LAG + "-" + run + "-0");
        }
        given().queryParam("provider", LAG).get("/inventory").then().body("total", equalTo(4));
    }

    int failures(String offerId) {
        return health.view(Instant.now()).stream()
                .filter(k -> "offer".equals(k.scope()) && offerId.equals(k.key()))
                .mapToInt(OfferHealth.KeyView::recentFailures)
                .sum();
    }
}
