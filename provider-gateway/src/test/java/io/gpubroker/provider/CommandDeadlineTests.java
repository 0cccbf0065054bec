package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.Topics;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.support.Catalogs;
import io.gpubroker.provider.support.Commands;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.provider.support.Sim;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Commands taken after their deadline are never carried out: a late create would bill for nobody. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class CommandDeadlineTests {

    @Inject
    Providers providers;

    @BeforeAll
    static void outbox() {
        TestStack.get().registerOutbox("provider");
    }

    @BeforeEach
    void consumerReady() {
        Commands.awaitConsumerReady();
    }

    @Test
    void aCreateTakenAfterItsDeadlineIsAnsweredExpiredAndNothingIsCreated() {
        String session = "sess-" + UUID.randomUUID();
        NormalisedOffer offer = Catalogs.provisionable(providers, "vastai");
        Instant requested = Instant.now().minusSeconds(120);
        var cmd = Commands.provision(
                session,
                offer,
                List.of(Commands.publicLine(Commands.newKey(), "u")),
                requested,
                requested.plusSeconds(60));
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(cmd);
            JsonNode r = Commands.json(Commands.replyTo(replies, session, cmd.commandId(), Duration.ofSeconds(60)));
            assertThat(r.path("error_class").asText()).as(r.toString()).isEqualTo("expired");
            assertThat(r.path("retryable").asBoolean()).isFalse();
            assertThat(r.path("message").asText()).contains("deadline").contains("nothing was created");
        }
        assertThat(Sim.withTag("vastai", "gpub-local-" + session, false))
                .as("no instance was ever created")
                .isZero();
    }

    @Test
    void aCreateWithinItsDeadlineIsCarriedOut() {
        String session = "sess-" + UUID.randomUUID();
        NormalisedOffer offer = Catalogs.provisionable(providers, "rackrr");
        var cmd = Commands.provision(
                session,
                offer,
                List.of(Commands.publicLine(Commands.newKey(), "u")),
                Instant.now(),
                Instant.now().plusSeconds(600));
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(cmd);
            var r = Commands.reply(
                    replies, session, Set.of("InstanceProvisioned", "ProvisionFailed"), Duration.ofSeconds(60));
            assertThat(Commands.type(r)).as(r.value()).isEqualTo("InstanceProvisioned");
            String id = Commands.json(r).path("instance_id").asText();
            var terminate = Commands.terminate(session, "rackrr", id);
            Commands.send(terminate);
            assertThat(Commands.type(Commands.replyTo(replies, session, terminate.commandId(), Duration.ofSeconds(60))))
                    .isEqualTo("InstanceTerminated");
        }
    }

    @Test
    void aStaleLookupIsDroppedUnansweredWhileAFreshOneIsAnswered() {
        String session = "sess-" + UUID.randomUUID();
        Instant past = Instant.now().minusSeconds(30);
        var stale = new DescribeInstance(
                "cmd-" + UUID.randomUUID(), session, "barrack", "no-such-instance", past, past.plusSeconds(5));
        var fresh = new DescribeInstance(
                "cmd-" + UUID.randomUUID(),
                session,
                "barrack",
                "no-such-instance",
                Instant.now(),
                Instant.now().plusSeconds(300));
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(stale);
            Commands.send(fresh);
            // same key, same partition: the stale lookup was taken before the fresh one was answered
            Commands.replyTo(replies, session, fresh.commandId(), Duration.ofSeconds(60));
            List<String> answered = replies.drain(Duration.ofSeconds(2)).stream()
                    .filter(r -> session.equals(r.key()))
                    .map(r -> Commands.json(r).path("command_id").asText())
                    .toList();
            assertThat(answered).containsExactly(fresh.commandId());
        }
    }
}
