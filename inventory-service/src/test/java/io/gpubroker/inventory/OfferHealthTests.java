package io.gpubroker.inventory;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.contracts.Topics;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Availability confidence and suppression from the broker's own provisioning outcomes
 * (provisioning.replies), with a 4 s cool-down in the test profile.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class OfferHealthTests {
    static final String P = "testcloud-h";

    @Inject
    OfferCatalog catalog;

    /** Two offers of one (run-unique) GPU type on two machines; returns the run id. */
    String catalogOfTwo() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String gpu = "HGPU " + run;
        Catalogs.awaitApplied(
                catalog,
                P,
                Feed.snapshot(
                        P,
                        at,
                        List.of(
                                Feed.offer(
                                        P, run + "-1", gpu, 1, 24, "0.30", "Healthville", 1.0, null, run + "-m1", at),
                                Feed.offer(
                                        P, run + "-2", gpu, 1, 24, "0.31", "Healthville", 1.0, null, run + "-m2", at)),
                        10));
        return run;
    }

    static String failed(String offerId, String machine) {
        return """
                {"command_id":"%s","session_id":"sess-%s","provider":"%s","offer_id":"%s","machine_id":"%s",
                 "error_class":"stale_inventory","message":"No available nodes found","retryable":true,
                 "failed_at":"%s","some_future_field":{"x":1}}""".formatted(UUID.randomUUID(), UUID.randomUUID(), P, offerId, machine, Instant.now());
    }

    static void fail(String offerId, String machine) {
        Feed.raw(
                Topics.PROVISIONING_REPLIES,
                "sess-x",
                failed(offerId, machine),
                UUID.randomUUID().toString(),
                "ProvisionFailed");
    }

    static float confidence(String offerId) {
        return given().get("/inventory/" + offerId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getFloat("availability_confidence");
    }

    static List<String> searchIds() {
        return given().queryParam("provider", P)
                .queryParam("location", "Healthville")
                .queryParam("limit", 1000)
                .get("/inventory")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("offers.id", String.class);
    }

    @Test
    void failuresLowerConfidenceAndRepeatedFailuresSuppressTheOfferUntilTheCoolDownEnds() {
        String run = catalogOfTwo();
        String a = P + "-" + run + "-1";
        String b = P + "-" + run + "-2";
        float before = confidence(a);
        float otherBefore = confidence(b);
        fail(a, run + "-m1");
        await().atMost(Duration.ofSeconds(30)).until(() -> recentFailures(a) == 1);
        float afterOne = confidence(a);
        assertThat(afterOne).isLessThan(before * 0.6f); // offer x0.6, machine x0.8, GPU type x0.9
        assertThat(confidence(b)).isLessThan(otherBefore).isGreaterThan(afterOne); // only its GPU type failed once

        fail(a, run + "-m1");
        fail(a, run + "-m1");
        await().atMost(Duration.ofSeconds(30)).until(() -> !searchIds().contains(a));
        assertThat(searchIds()).contains(b);
        Map<String, Object> detail = given().get("/inventory/" + a)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("");
        assertThat(detail.get("suppressed")).isEqualTo(true);
        assertThat(((Number) detail.get("availability_confidence")).doubleValue())
                .isZero();
        List<Map<String, Object>> entries = given().get("/offer-health")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("entries");
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.get("scope")).isEqualTo("offer");
            assertThat(e.get("key")).isEqualTo(a);
            assertThat(e.get("suppressed")).isEqualTo(true);
            assertThat(e.get("last_error_class")).isEqualTo("stale_inventory");
        });
        assertThat(entries).anySatisfy(e -> assertThat(e.get("key")).isEqualTo(P + ":" + run + "-m1"));

        // recovery: after the cool-down the offer is back in search, with a clean offer record
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> searchIds().contains(a));
        assertThat(given().get("/inventory/" + a).then().extract().jsonPath().getBoolean("suppressed"))
                .isFalse();
        assertThat(confidence(a)).isGreaterThan(afterOne);
    }

    @Test
    void aSuccessfulProvisionRestoresConfidence() {
        String run = catalogOfTwo();
        String b = P + "-" + run + "-2";
        float before = confidence(b);
        fail(b, run + "-m2");
        await().atMost(Duration.ofSeconds(30)).until(() -> recentFailures(b) == 1);
        assertThat(confidence(b)).isLessThan(before * 0.6f);
        Feed.raw(
                Topics.PROVISIONING_REPLIES,
                "sess-ok",
                """
                {"command_id":"c1","session_id":"sess-ok","provider":"%s","offer_id":"%s","instance_id":"i-1",
                 "host":"127.0.0.1","port":2222}""".formatted(P, b),
                UUID.randomUUID().toString(),
                "InstanceProvisioned");
        await().atMost(Duration.ofSeconds(30)).until(() -> confidence(b) >= before - 0.01f);
    }

    @Test
    void aRedeliveredFailureCountsOnce() {
        String run = catalogOfTwo();
        String a = P + "-" + run + "-1";
        String eventId = UUID.randomUUID().toString();
        String body = failed(a, run + "-m1");
        Feed.raw(Topics.PROVISIONING_REPLIES, "sess-dup", body, eventId, "ProvisionFailed");
        Feed.raw(Topics.PROVISIONING_REPLIES, "sess-dup", body, eventId, "ProvisionFailed");
        String marker = P + "-" + run + "-2";
        fail(marker, run + "-m2");
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes("offer_id = '" + marker + "'") == 1);
        assertThat(outcomes("event_id = '" + eventId + "'")).isEqualTo(1);
        List<Map<String, Object>> entries =
                given().get("/offer-health").then().extract().jsonPath().getList("entries");
        assertThat(entries)
                .filteredOn(e -> a.equals(e.get("key")))
                .singleElement()
                .satisfies(e -> assertThat(e.get("recent_failures")).isEqualTo(1));
    }

    @Test
    void malformedRepliesAreDeadLetteredAndOtherReplyTypesIgnored() {
        try (KafkaProbe dlq = KafkaProbe.tail(Topics.deadLetter(Topics.PROVISIONING_REPLIES))) {
            String noOffer = "sess-nooffer-" + UUID.randomUUID();
            Feed.raw(
                    Topics.PROVISIONING_REPLIES,
                    noOffer,
                    "{\"provider\":\"" + P + "\",\"error_class\":\"auth\"}",
                    UUID.randomUUID().toString(),
                    "ProvisionFailed");
            String garbage = "sess-garbage-" + UUID.randomUUID();
            Feed.raw(
                    Topics.PROVISIONING_REPLIES,
                    garbage,
                    "{oops",
                    UUID.randomUUID().toString(),
                    "InstanceProvisioned");
            String other = "sess-other-" + UUID.randomUUID();
            Feed.raw(
                    Topics.PROVISIONING_REPLIES,
                    other,
                    "{whatever",
                    UUID.randomUUID().toString(),
                    "InstanceStatusChanged");
            String noId = "sess-noid-" + UUID.randomUUID();
            Feed.raw(Topics.PROVISIONING_REPLIES, noId, failed("x", "y"), null, "ProvisionFailed");
            List<ConsumerRecord<String, String>> dead =
                    dlq.pollUntil(Duration.ofSeconds(30), r -> noId.equals(r.key()));
            dead = new java.util.ArrayList<>(dead);
            dead.addAll(dlq.drain(Duration.ofSeconds(1)));
            assertThat(dead)
                    .extracting(ConsumerRecord::key)
                    .contains(noOffer, garbage, noId)
                    .doesNotContain(other);
            ConsumerRecord<String, String> r = dead.stream()
                    .filter(x -> noOffer.equals(x.key()))
                    .findFirst()
                    .orElseThrow();
            assertThat(KafkaProbe.header(r, "dead-letter-reason")).contains("offer_id");
        }
    }

    static int recentFailures(String key) {
        List<Map<String, Object>> entries = given().get("/offer-health")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("entries");
        return entries.stream()
                .filter(e -> key.equals(e.get("key")))
                .mapToInt(e -> (Integer) e.get("recent_failures"))
                .findFirst()
                .orElse(0);
    }

    static int outcomes(String where) {
        return Integer.parseInt(TestStack.get()
                .postgres()
                .query("gpubroker", "select count(*) from inventory.provisioning_outcomes where " + where));
    }
}
