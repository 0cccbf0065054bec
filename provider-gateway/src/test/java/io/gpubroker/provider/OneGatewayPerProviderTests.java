package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.contracts.Topics;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.support.Catalogs;
import io.gpubroker.provider.support.Commands;
import io.gpubroker.provider.support.OneProviderProfile;
import io.gpubroker.provider.support.Sim;
import io.gpubroker.stack.KafkaBroker;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One provider-gateway process per provider (ADR 0014): a process configured with Rackrr serves only
 * Rackrr — its jobs, its commands — and a slow provider's backlog ahead of Rackrr's command on the same
 * partition does not delay it.
 */
@QuarkusTest
@TestProfile(OneProviderProfile.class)
class OneGatewayPerProviderTests {
    static final String SLOW = "vastai";

    @Inject
    Providers providers;

    @BeforeAll
    static void outbox() {
        TestStack.get().registerOutbox("provider");
    }

    @AfterEach
    void heal() {
        Sim.clearFaults(SLOW);
    }

    @Test
    void aProcessConfiguredWithOneProviderServesOnlyThatProvider() {
        assertThat(providers.enabled()).extracting(Providers.Provider::name).containsExactly(OneProviderProfile.SERVED);
        assertThat(providers.isEnabled(SLOW)).isFalse();
    }

    @Test
    void aSlowProvidersBacklogOnTheSamePartitionNeverDelaysAnotherProvidersCreate() throws Exception {
        Commands.awaitConsumerReady(OneProviderProfile.SERVED);
        // the slow provider answers every call after 20 s: a gateway working through its creates first would
        // hold the partition for minutes
        Sim.fault(SLOW, Map.of("op", "*", "delay_ms", 20_000));
        int liveBefore = Sim.live(SLOW);
        String session = "sess-" + UUID.randomUUID();
        NormalisedOffer offer = Catalogs.provisionable(providers, OneProviderProfile.SERVED);
        KeyPair key = Commands.newKey();
        List<String> slowSessions = new ArrayList<>();
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            for (int i = 0; i < 10; i++) {
                String s = samePartitionAs(session);
                slowSessions.add(s);
                // due in 30 s: if a gateway of the slow provider takes it later, it answers "expired" and creates
                // nothing
                Commands.send(new ProvisionInstance(
                        "cmd-" + UUID.randomUUID(),
                        s,
                        "team-test",
                        SLOW,
                        SLOW + "-1",
                        Map.of(),
                        offer.gpuType(),
                        offer.gpuCount(),
                        offer.pricePerHour(),
                        List.of(Commands.publicLine(key, "user")),
                        null,
                        null,
                        "ssh",
                        null,
                        null,
                        List.of(),
                        Map.of(),
                        null,
                        Instant.now(),
                        Instant.now().plusSeconds(30),
                        0));
            }
            long sent = System.nanoTime();
            Commands.send(Commands.provision(session, offer, List.of(Commands.publicLine(key, "user"))));
            ConsumerRecord<String, String> r = Commands.reply(
                    replies, session, Set.of("InstanceProvisioned", "ProvisionFailed"), Duration.ofSeconds(60));
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            assertThat(Commands.type(r)).as(r.value()).isEqualTo("InstanceProvisioned");
            assertThat(took)
                    .as("Rackrr's create behind ten slow creates of another provider")
                    .isLessThan(Duration.ofSeconds(20));
            String instance = Commands.json(r).path("instance_id").asText();

            assertThat(Sim.live(SLOW))
                    .as("this process never called the provider it does not serve")
                    .isEqualTo(liveBefore);
            assertThat(replies.drain(Duration.ofSeconds(1))).noneMatch(x -> slowSessions.contains(x.key()));

            String cmd = "cmd-" + UUID.randomUUID();
            Commands.send(
                    new TerminateInstance(cmd, session, OneProviderProfile.SERVED, instance, "done", Instant.now()));
            assertThat(Commands.type(Commands.replyTo(replies, session, cmd, Duration.ofSeconds(60))))
                    .isEqualTo("InstanceTerminated");
        }
    }

    /** A session id whose commands land on the same partition of {@code provisioning.requests} as {@code session}'s. */
    private static String samePartitionAs(String session) {
        int partitions = KafkaBroker.TOPICS.get(Topics.PROVISIONING_REQUESTS);
        int target = partition(session, partitions);
        while (true) {
            String s = "sess-" + UUID.randomUUID();
            if (partition(s, partitions) == target) {
                return s;
            }
        }
    }

    private static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
