package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.OfferSnapshotPage;
import io.gpubroker.contracts.Topics;
import io.gpubroker.provider.offers.OfferPoller;
import io.gpubroker.provider.support.Commands;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.provider.support.Sim;
import io.gpubroker.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Offer snapshots on {@code provider.offers}: paged, keyed by provider, normalised; failures are explicit. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class OfferPollingTests {
    static final Set<String> KNOWN_GPUS = Set.of(
            "RTX 3090",
            "RTX 4090",
            "RTX 5090",
            "RTX A6000",
            "RTX 6000 Ada",
            "L4",
            "A10",
            "L40S",
            "L40",
            "A40",
            "A100 40GB",
            "A100 80GB",
            "H100 80GB",
            "H200",
            "B200",
            "B300",
            "V100 32GB");

    @Inject
    OfferPoller poller;

    @ParameterizedTest
    @ValueSource(strings = {"vastai", "tensordock", "rackrr", "barrack", "trooper"})
    void aPollPublishesTheNormalisedCatalogAsPagesOfOneSnapshotKeyedByProvider(String provider) {
        try (KafkaProbe offers = KafkaProbe.tail(Topics.PROVIDER_OFFERS)) {
            int count = poller.poll(provider);
            assertThat(count).isPositive();
            int pages = (count + 24) / 25;
            List<ConsumerRecord<String, String>> seen = offers.pollUntil(
                    Duration.ofSeconds(30),
                    r -> provider.equals(r.key()) && ("\"page\":" + pages).equals(pageField(r)));
            List<ConsumerRecord<String, String>> mine =
                    seen.stream().filter(r -> provider.equals(r.key())).toList();
            assertThat(mine).hasSize(pages);
            List<NormalisedOffer> all = new ArrayList<>();
            String snapshot = null;
            for (ConsumerRecord<String, String> r : mine) {
                assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)).isEqualTo("OfferSnapshotPage");
                assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_ID)).hasSize(36);
                OfferSnapshotPage page = (OfferSnapshotPage) EventCatalog.fromJson("OfferSnapshotPage", r.value());
                assertThat(page.offers().size()).isLessThanOrEqualTo(25);
                snapshot = snapshot == null ? page.snapshotId() : snapshot;
                assertThat(page.snapshotId()).isEqualTo(snapshot);
                assertThat(page.totalOffers()).isEqualTo(count);
                all.addAll(page.offers());
            }
            assertThat(all).hasSize(count);
            assertThat(all).allSatisfy(o -> {
                assertThat(o.id()).isEqualTo(provider + "-" + o.providerId());
                assertThat(o.gpuType()).isIn(KNOWN_GPUS);
                assertThat(o.pricePerHour().signum()).isPositive();
                assertThat(o.currency()).isEqualTo("USD");
                assertThat(o.provisioning()).isNotEmpty();
                if (Set.of("RTX 4090", "RTX 3090", "L4", "A10").contains(o.gpuType())) {
                    assertThat(o.vramGb()).as(o.toString()).isEqualTo(24);
                }
                if (o.gpuType().endsWith("80GB")) {
                    assertThat(o.vramGb()).isEqualTo(80);
                }
            });
        }
    }

    static String pageField(ConsumerRecord<String, String> r) {
        JsonNode n = Commands.json(r);
        return "\"page\":" + n.path("page").asInt();
    }

    @Test
    void trooperEuroPricesAreConvertedToUsdAndTheEuroPriceIsKeptForThePriceEcho() {
        List<NormalisedOffer> offers = io.gpubroker.provider.support.Catalogs.offers(
                io.quarkus.arc.Arc.container()
                        .instance(io.gpubroker.provider.config.Providers.class)
                        .get(),
                "trooper");
        NormalisedOffer o = offers.get(0);
        double eur = Double.parseDouble(o.provisioning().get("price_h"));
        assertThat(o.pricePerHour().doubleValue()).isCloseTo(eur * 1.087, org.assertj.core.data.Offset.offset(0.0002));
        assertThat(o.provisioning()).containsEntry("currency", "EUR");
    }

    @Test
    void aProviderThatFailsToAnswerIsPublishedAsOfferPollFailedNeverAsAnEmptyCatalog() {
        Sim.fault("trooper", Map.of("op", "offers", "status", 502, "count", 50));
        try (KafkaProbe offers = KafkaProbe.tail(Topics.PROVIDER_OFFERS)) {
            assertThat(poller.poll("trooper")).isEqualTo(-1);
            List<ConsumerRecord<String, String>> seen = offers.pollUntil(
                    Duration.ofSeconds(30),
                    r -> "trooper".equals(r.key())
                            && "OfferPollFailed".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)));
            List<ConsumerRecord<String, String>> mine =
                    seen.stream().filter(r -> "trooper".equals(r.key())).toList();
            assertThat(mine)
                    .extracting(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE))
                    .containsExactly("OfferPollFailed");
            assertThat(Commands.json(mine.get(0)).path("error_class").asText()).isEqualTo("transient");
            assertThat(poller.lastResults().get("trooper").result()).isEqualTo("failed");
        } finally {
            Sim.clearFaults("trooper");
        }
        // the outage opened trooper's breaker; once it lets calls through, the next poll is a catalog again
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> poller.poll("trooper") > 0);
    }
}
