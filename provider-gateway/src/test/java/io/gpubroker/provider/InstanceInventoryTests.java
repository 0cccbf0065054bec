package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceListingFailed;
import io.gpubroker.contracts.Topics;
import io.gpubroker.provider.inventory.InstanceInventory;
import io.gpubroker.provider.support.Commands;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.provider.support.Sim;
import io.gpubroker.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The reconciliation feed: only this deployment's tagged instances, and an outage is "failed", never "none". */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class InstanceInventoryTests {

    @Inject
    InstanceInventory inventory;

    @Test
    void aListingHasOurTaggedInstancesWithTheirSessionAndLeavesForeignOnesOut() {
        String session = "sess-" + UUID.randomUUID();
        Sim.call("barrack", "POST", "/orphans", Map.of("tag", "gpub-local-" + session));
        Sim.call("barrack", "POST", "/orphans", Map.of("tag", "gpub-staging-" + session));
        Sim.call("barrack", "POST", "/orphans", Map.of("tag", "someone-elses-vm"));
        try (KafkaProbe inv = KafkaProbe.tail(Topics.INSTANCE_INVENTORY)) {
            BrokerEvent e = inventory.listAndPublish("barrack");
            assertThat(e).isInstanceOf(InstanceListing.class);
            InstanceListing l = (InstanceListing) e;
            assertThat(l.complete()).isTrue();
            assertThat(l.instances())
                    .extracting(InstanceListing.ListedInstance::tag)
                    .allMatch(t -> t.startsWith("gpub-local-"));
            assertThat(l.instances())
                    .filteredOn(i -> session.equals(i.sessionId()))
                    .hasSize(1);
            List<ConsumerRecord<String, String>> seen =
                    inv.pollUntil(Duration.ofSeconds(30), r -> "barrack".equals(r.key()));
            ConsumerRecord<String, String> r = seen.stream()
                    .filter(x -> "barrack".equals(x.key()))
                    .findFirst()
                    .orElseThrow();
            assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)).isEqualTo("InstanceListing");
            JsonNode body = Commands.json(r);
            assertThat(body.path("deployment").asText()).isEqualTo("local");
            assertThat(body.toString()).doesNotContain("someone-elses-vm").doesNotContain("gpub-staging-");
        }
    }

    @Test
    void aListingOutageIsPublishedAsInstanceListingFailed() {
        Sim.fault("tensordock", Map.of("op", "list", "status", 500, "count", 50));
        try (KafkaProbe inv = KafkaProbe.tail(Topics.INSTANCE_INVENTORY)) {
            BrokerEvent e = inventory.listAndPublish("tensordock");
            assertThat(e).isInstanceOf(InstanceListingFailed.class);
            assertThat(((InstanceListingFailed) e).errorClass()).isEqualTo("transient");
            ConsumerRecord<String, String> r =
                    inv.pollUntil(Duration.ofSeconds(30), x -> "tensordock".equals(x.key())).stream()
                            .filter(x -> "tensordock".equals(x.key()))
                            .findFirst()
                            .orElseThrow();
            assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)).isEqualTo("InstanceListingFailed");
        } finally {
            Sim.clearFaults("tensordock");
        }
    }

    @Test
    void aListingWithAnUnusablePageIsFailedNotShortAndTwoPagesAreReadCompletely() {
        // 26 tagged instances on Vast make two pages of 25
        for (int i = 0; i < 26; i++) {
            Sim.call("vastai", "POST", "/orphans", Map.of("tag", "gpub-local-page-" + i));
        }
        Sim.fault("vastai", Map.of("op", "list", "error_200", true, "message", "paging broke", "count", 50));
        try {
            BrokerEvent e = inventory.list("vastai");
            assertThat(e).isInstanceOf(InstanceListingFailed.class);
        } finally {
            Sim.clearFaults("vastai");
        }
        // the outage may have opened vast's breaker: the next good listing comes once it lets calls through
        BrokerEvent ok = org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> inventory.list("vastai"), e -> e instanceof InstanceListing);
        assertThat(((InstanceListing) ok)
                        .instances().stream()
                                .filter(i -> i.tag().startsWith("gpub-local-page-"))
                                .count())
                .isGreaterThanOrEqualTo(26);
    }
}
