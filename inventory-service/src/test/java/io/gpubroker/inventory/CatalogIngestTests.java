package io.gpubroker.inventory;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.Topics;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Snapshots from provider.offers becoming the catalog, and offer.events telling only what changed. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class CatalogIngestTests {
    static final String P = "testcloud-a";

    @Inject
    OfferCatalog catalog;

    @BeforeAll
    static void outbox() {
        TestStack.get().registerOutbox("inventory");
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    static List<NormalisedOffer> three(String run, Instant at, String secondPrice) {
        return List.of(
                Feed.offer(P, run + "-1", "RTX 4090", 1, 24, "0.40", "Testland East", 0.99, null, "m1", at),
                Feed.offer(P, run + "-2", "RTX 4090", 1, 24, secondPrice, "Testland East", 0.97, null, "m2", at),
                Feed.offer(P, run + "-3", "A100 80GB", 2, 80, "2.10", "Testland West", 0.95, null, "m3", at));
    }

    static Set<String> types(List<ConsumerRecord<String, String>> recs, String type) {
        Set<String> keys = new HashSet<>();
        recs.stream()
                .filter(r -> type.equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)))
                .forEach(r -> keys.add(r.key()));
        return keys;
    }

    @Test
    void aCompleteSnapshotBecomesSearchableAndEachNewOfferIsPublishedOnce() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<NormalisedOffer> offers = three(run, now(), "0.45");
        try (KafkaProbe events = KafkaProbe.tail(Topics.OFFER_EVENTS)) {
            String snap = Feed.snapshot(P, now(), offers, 2);
            Catalogs.awaitApplied(catalog, P, snap);
            given().queryParam("provider", P)
                    .get("/inventory")
                    .then()
                    .statusCode(200)
                    .body("total", equalTo(3))
                    .body("count", equalTo(3))
                    .body("offers[0].id", equalTo(P + "-" + run + "-1"))
                    .body("providers.'" + P + "'.status", equalTo("ok"));
            String third = P + "-" + run + "-3";
            // offers are keyed by id, so they travel on different partitions: wait for all three
            List<String> want = offers.stream().map(NormalisedOffer::id).toList();
            List<ConsumerRecord<String, String>> seen = events.pollUntil(
                    Duration.ofSeconds(30),
                    r -> types(events.seen(), "OfferPublished").containsAll(want));
            assertThat(types(seen, "OfferPublished")).containsAll(want);
            ConsumerRecord<String, String> rec =
                    seen.stream().filter(r -> third.equals(r.key())).findFirst().orElseThrow();
            assertThat(EventCatalog.fromJson("OfferPublished", rec.value()).aggregateId())
                    .isEqualTo(third);
            assertThat(json(rec.value()).get("price_per_hour").decimalValue()).isEqualByComparingTo("2.10");
        }
    }

    @Test
    void aSnapshotOfHundredsOfNewOffersPublishesEachOnceThroughTheMultiRowOutboxInsert() {
        // more events than OutboxWriter.appendAll writes one statement each: they go as one multi-row insert
        String p = "testcloud-m";
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant at = now();
        List<NormalisedOffer> offers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            offers.add(Feed.offer(
                    p, run + "-" + i, "L40S", 1 + i % 4, 48, "0." + (100 + i), "Bulkville", 0.9, null, "bm" + i, at));
        }
        try (KafkaProbe events = KafkaProbe.tail(Topics.OFFER_EVENTS)) {
            Catalogs.awaitApplied(catalog, p, Feed.snapshot(p, at, offers, 100));
            Set<String> want =
                    new HashSet<>(offers.stream().map(NormalisedOffer::id).toList());
            events.pollUntil(
                    Duration.ofSeconds(60),
                    r -> types(events.seen(), "OfferPublished").containsAll(want));
            List<ConsumerRecord<String, String>> published = events.seen().stream()
                    .filter(r -> want.contains(r.key())
                            && "OfferPublished".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)))
                    .toList();
            assertThat(published).hasSize(300);
            assertThat(published.stream()
                            .map(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_ID))
                            .distinct())
                    .hasSize(300)
                    .allMatch(id -> UUID.fromString(id).toString().equals(id));
            ConsumerRecord<String, String> rec = published.stream()
                    .filter(r -> (p + "-" + run + "-7").equals(r.key()))
                    .findFirst()
                    .orElseThrow();
            // the payload is the event as a JSON object (not a JSON string holding it), as append writes it
            assertThat(EventCatalog.fromJson("OfferPublished", rec.value()).aggregateId())
                    .isEqualTo(p + "-" + run + "-7");
            assertThat(json(rec.value()).get("price_per_hour").decimalValue()).isEqualByComparingTo("0.107");
            assertThat(KafkaProbe.header(rec, Topics.HEADER_EVENT_VERSION))
                    .isEqualTo(
                            String.valueOf(EventCatalog.entry("OfferPublished").version()));
        }
    }

    @Test
    void theNextSnapshotWithdrawsMissingOffersAndPublishesOnlyWhatChanged() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProbe events = KafkaProbe.tail(Topics.OFFER_EVENTS)) {
            String first = Feed.snapshot(P, now(), three(run, now(), "0.45"), 10);
            Catalogs.awaitApplied(catalog, P, first);
            // let the first snapshot's OfferPublished events arrive before the second snapshot
            events.pollUntil(Duration.ofSeconds(30), r -> (P + "-" + run + "-3").equals(r.key()));
            int before = events.drain(Duration.ofMillis(500)).size();
            Instant later = now().plusMillis(5);
            List<NormalisedOffer> next =
                    new ArrayList<>(three(run, later, "0.52").subList(0, 2)); // -3 is gone, -2 repriced
            String second = Feed.snapshot(P, later, next, 10);
            Catalogs.awaitApplied(catalog, P, second);
            given().get("/inventory/" + P + "-" + run + "-3")
                    .then()
                    .statusCode(404)
                    .body("error", notNullValue())
                    .body("request_id", notNullValue());
            given().get("/inventory/" + P + "-" + run + "-2")
                    .then()
                    .statusCode(200)
                    .body("price_per_hour", equalTo(0.52f));
            given().queryParam("provider", P).get("/inventory").then().body("total", equalTo(2));
            events.pollUntil(
                    Duration.ofSeconds(30),
                    r -> (P + "-" + run + "-3").equals(r.key())
                            && "OfferWithdrawn".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)));
            List<ConsumerRecord<String, String>> all = events.drain(Duration.ofSeconds(2));
            List<ConsumerRecord<String, String>> seen = all.subList(before, all.size());
            assertThat(types(seen, "OfferWithdrawn")).containsExactly(P + "-" + run + "-3");
            assertThat(types(seen, "OfferPriceChanged")).containsExactly(P + "-" + run + "-2");
            // the unchanged offer produced no event at all
            assertThat(seen).noneMatch(r -> (P + "-" + run + "-1").equals(r.key()));
            assertThat(types(seen, "OfferPublished")).isEmpty();
        }
    }

    @Test
    void anIncompleteSnapshotWithdrawsNothing() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String full = Feed.snapshot(P, now(), three(run, now(), "0.45"), 10);
        Catalogs.awaitApplied(catalog, P, full);
        Instant later = now().plusMillis(5);
        String partial = Feed.partial(P, later, three(run, later, "0.45").subList(0, 1), 1, 2, 2);
        // a marker snapshot on another provider, sent after the partial one, proves the partial one was consumed
        String marker = Feed.snapshot(
                "testcloud-m",
                now(),
                List.of(Feed.offer("testcloud-m", run, "L4", 1, 24, "0.30", "Markerland", 0.9, null, "mk", now())),
                10);
        Catalogs.awaitApplied(catalog, "testcloud-m", marker);
        assertThat(catalog.provider(P).snapshotId()).isEqualTo(full).isNotEqualTo(partial);
        given().queryParam("provider", P).get("/inventory").then().body("total", equalTo(3));
    }

    @Test
    void aFailedPollKeepsTheLastGoodCatalogAndSaysHowOldItIs() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String snap = Feed.snapshot(P, now(), three(run, now(), "0.45"), 10);
        Catalogs.awaitApplied(catalog, P, snap);
        Feed.pollFailed(P, now().plusMillis(10));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "poll_failed".equals(catalog.provider(P).status()));
        JsonPath body = given().queryParam("provider", P)
                .get("/inventory")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("total")).isEqualTo(3);
        assertThat(body.getString("providers.'" + P + "'.status")).isEqualTo("poll_failed");
        assertThat(body.getString("providers.'" + P + "'.poll_error_class")).isEqualTo("transient");
        assertThat(body.getString("providers.'" + P + "'.fetched_at")).isNotNull();
        assertThat(body.getInt("providers.'" + P + "'.age_seconds")).isGreaterThanOrEqualTo(0);
        // a later successful snapshot clears the failure
        String again = Feed.snapshot(P, now().plusMillis(20), three(run, now().plusMillis(20), "0.45"), 10);
        Catalogs.awaitApplied(catalog, P, again);
        assertThat(catalog.provider(P).status()).isEqualTo("ok");
    }

    @Test
    void anOfferOlderThanStaleAfterIsMarkedStaleWithItsAgeAndLowerConfidence() {
        String p = "testcloud-stale";
        Instant old = now().minus(Duration.ofMinutes(10));
        String run = UUID.randomUUID().toString().substring(0, 8);
        String snap = Feed.snapshot(
                p, old, List.of(Feed.offer(p, run, "RTX 3090", 1, 24, "0.20", "Oldtown", 1.0, null, "s1", old)), 10);
        Catalogs.awaitApplied(catalog, p, snap);
        given().get("/inventory/" + p + "-" + run)
                .then()
                .statusCode(200)
                .body("stale", equalTo(true))
                .body("age_seconds", greaterThanOrEqualTo(600))
                // reliability 1.0 x max(0.2, 0.8 x 2m / 10m): the floor
                .body("availability_confidence", equalTo(0.2f))
                .body("fetched_at", equalTo(old.toString()));
        given().queryParam("provider", p).get("/inventory").then().body("providers.'" + p + "'.stale", equalTo(true));
    }

    @Test
    void offerDetailsCarryWhatSessionServiceAndProvisioningNeed() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant at = now();
        String snap = Feed.snapshot(P, at, three(run, at, "0.45"), 10);
        Catalogs.awaitApplied(catalog, P, snap);
        JsonNode o = json(given().get("/inventory/" + P + "-" + run + "-1")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        for (String f : List.of(
                "id",
                "provider",
                "provider_id",
                "gpu_type",
                "gpu_count",
                "vram_gb",
                "price_per_hour",
                "location",
                "reliability",
                "available",
                "max_duration_hours",
                "fetched_at",
                "cuda_version",
                "availability_confidence",
                "age_seconds",
                "stale",
                "currency",
                "machine_id",
                "provisioning")) {
            assertThat(o.has(f)).as(f).isTrue();
        }
        assertThat(o.get("provider_id").asText()).isEqualTo(run + "-1");
        assertThat(o.get("machine_id").asText()).isEqualTo("m1");
        assertThat(o.get("provisioning").get("ask_id").asText()).isEqualTo(run + "-1");
        assertThat(o.get("stale").asBoolean()).isFalse();
        assertThat(o.get("available").asBoolean()).isTrue();
        assertThat(o.get("price_per_hour").decimalValue()).isEqualByComparingTo("0.40");
        assertThat(o.get("fetched_at").asText()).isEqualTo(at.toString());
        given().get("/inventory/no-such-offer")
                .then()
                .statusCode(404)
                .body("error", equalTo("offer no-such-offer not found"));
    }

    @Test
    void aMalformedPageIsDeadLetteredWithItsReasonAndTheCatalogIsUntouched() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String snap = Feed.snapshot(P, now(), three(run, now(), "0.45"), 10);
        Catalogs.awaitApplied(catalog, P, snap);
        try (KafkaProbe dlq = KafkaProbe.tail(Topics.deadLetter(Topics.PROVIDER_OFFERS))) {
            Feed.raw(Topics.PROVIDER_OFFERS, P, "{not json", UUID.randomUUID().toString(), "OfferSnapshotPage");
            Feed.raw(
                    Topics.PROVIDER_OFFERS,
                    "nowhere",
                    "{\"snapshot_id\":\"s\",\"provider\":\"nowhere\",\"fetched_at\":\"" + now()
                            + "\",\"page\":1,\"pages\":1,\"total_offers\":0,\"offers\":[]}",
                    UUID.randomUUID().toString(),
                    "OfferSnapshotPage");
            List<ConsumerRecord<String, String>> dead =
                    dlq.pollUntil(Duration.ofSeconds(30), r -> "nowhere".equals(r.key()));
            assertThat(dead).extracting(ConsumerRecord::key).contains(P, "nowhere");
            ConsumerRecord<String, String> unknown = dead.stream()
                    .filter(r -> "nowhere".equals(r.key()))
                    .findFirst()
                    .orElseThrow();
            assertThat(KafkaProbe.header(unknown, "dead-letter-reason")).contains("unknown provider");
        }
        given().queryParam("provider", P).get("/inventory").then().body("total", equalTo(3));
    }

    @Test
    void anRtx4090SearchUnderSixtyCentsReturnsOffersOfSeveralProvidersWithTotal() {
        Instant at = now();
        List<String> providers = List.of("vastai", "tensordock", "rackrr", "barrack", "trooper");
        for (String p : providers) {
            String snap = Feed.snapshot(p, at, Feed.fromCatalog(p, p.hashCode(), 400, "", at), 200);
            Catalogs.awaitApplied(catalog, p, snap);
        }
        JsonPath body = given().queryParam("gpu_type", "RTX 4090")
                .queryParam("max_price", "0.6")
                .queryParam("limit", "5")
                .get("/inventory")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("count")).isEqualTo(5);
        assertThat(body.getInt("total")).isGreaterThan(5);
        List<String> seenProviders = given().queryParam("gpu_type", "RTX 4090")
                .queryParam("max_price", "0.6")
                .queryParam("limit", "1000")
                .get("/inventory")
                .then()
                .extract()
                .jsonPath()
                .getList("offers.provider");
        assertThat(new HashSet<>(seenProviders)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(body.getList("offers.gpu_type", String.class)).containsOnly("RTX 4090");
        assertThat(body.getList("offers.price_per_hour", Float.class)).allMatch(p -> p <= 0.6f);
    }

    static JsonNode json(String s) {
        try {
            return EventCatalog.mapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
