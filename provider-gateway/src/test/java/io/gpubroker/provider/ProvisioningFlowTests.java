package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.Topics;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.repository.IntentRepository;
import io.gpubroker.provider.support.Catalogs;
import io.gpubroker.provider.support.Commands;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.provider.support.Sim;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole command path over real Kafka, PostgreSQL, Debezium and the five simulators (HTTP + SSH). */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class ProvisioningFlowTests {
    static final Duration REPLY = Duration.ofSeconds(60);

    @Inject
    Providers providers;

    @Inject
    IntentRepository intents;

    @Inject
    Mutiny.SessionFactory sessions;

    @BeforeAll
    static void outbox() {
        TestStack.get().registerOutbox("provider");
    }

    @BeforeEach
    void consumerReady() {
        Commands.awaitConsumerReady();
    }

    static String session() {
        return "sess-" + UUID.randomUUID();
    }

    @ParameterizedTest
    @ValueSource(strings = {"vastai", "tensordock", "rackrr", "barrack", "trooper"})
    void aProvisionCommandLeadsToARunningInstanceReachableOverSshAndTerminateLeavesNothingLive(String provider)
            throws Exception {
        String session = session();
        KeyPair user = Commands.newKey();
        KeyPair broker = Commands.newKey();
        NormalisedOffer offer = Catalogs.provisionable(providers, provider);
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(Commands.provision(
                    session, offer, List.of(Commands.publicLine(user, "user"), Commands.publicLine(broker, "broker"))));
            ConsumerRecord<String, String> r =
                    Commands.reply(replies, session, Set.of("InstanceProvisioned", "ProvisionFailed"), REPLY);
            assertThat(Commands.type(r)).as(r.value()).isEqualTo("InstanceProvisioned");
            JsonNode provisioned = Commands.json(r);
            String instanceId = provisioned.path("instance_id").asText();
            assertThat(provisioned.path("ownership_tag").asText()).isEqualTo("gpub-local-" + session);
            assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_ID)).isNotBlank();

            JsonNode status = null;
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                var describe = Commands.describe(session, provider, instanceId);
                Commands.send(describe);
                status = Commands.json(Commands.replyTo(replies, session, describe.commandId(), REPLY));
                if ("running".equals(status.path("broker_state").asText())) {
                    break;
                }
                Thread.sleep(300);
            }
            assertThat(status.path("broker_state").asText())
                    .as(status.toString())
                    .isEqualTo("running");
            String host = status.path("ssh_host").asText();
            int port = status.path("ssh_port").asInt();
            String sshUser = status.path("ssh_user").asText();
            assertThat(status.toString()).doesNotContain("password");
            if (provider.equals("trooper")) { // the gateway logged in itself: it reports the host key it pinned
                assertThat(status.path("ssh_host_key").asText())
                        .isEqualTo(Sim.instance(provider, instanceId)
                                .path("ssh_host_key")
                                .asText());
            } else {
                assertThat(status.path("ssh_host_key").isNull()
                                || status.path("ssh_host_key").isMissingNode())
                        .isTrue();
            }
            // keys reach the host the provider's way (propagation, cloud-init): the saga retries the same
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .ignoreExceptions()
                    .until(() ->
                            Commands.ssh(host, port, sshUser, user, "echo ok").equals("ok\n"));
            if (!provider.equals("rackrr")) { // Rackrr takes exactly one key per VM
                assertThat(Commands.ssh(host, port, sshUser, broker, "echo verified"))
                        .isEqualTo("verified\n");
            }

            var terminate = Commands.terminate(session, provider, instanceId);
            Commands.send(terminate);
            ConsumerRecord<String, String> t = Commands.replyTo(replies, session, terminate.commandId(), REPLY);
            assertThat(Commands.type(t)).as(t.value()).isEqualTo("InstanceTerminated");
            assertThat(Sim.instance(provider, instanceId).path("destroyed").asBoolean())
                    .isTrue();
            assertThat(Sim.withTag(provider, "gpub-local-" + session, true)).isZero();
        }
    }

    @Test
    void aTrooperOrderWhoseAnswerIsLostIsAdoptedAndTaggedNotLeftUntaggedOrOrderedTwice() {
        String session = session();
        NormalisedOffer offer = Catalogs.provisionable(providers, "trooper");
        long liveBefore = Sim.live("trooper");
        // the order takes effect, but its answer comes after the gateway's call timeout (10 s here)
        Sim.fault("trooper", Map.of("op", "create", "delay_ms", 12_000, "applied", true, "count", 1));
        ProvisionInstance cmd =
                Commands.provision(session, offer, List.of(Commands.publicLine(Commands.newKey(), "u")));
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(cmd);
            ConsumerRecord<String, String> r = Commands.reply(
                    replies, session, Set.of("InstanceProvisioned", "ProvisionFailed"), Duration.ofSeconds(60));
            assertThat(Commands.type(r)).as(r.value()).isEqualTo("InstanceProvisioned");
            String id = Commands.json(r).path("instance_id").asText();
            assertThat(Sim.withTag("trooper", "gpub-local-" + session, true))
                    .as("the adopted server carries the tag")
                    .isEqualTo(1);
            assertThat(Sim.live("trooper")).as("one order, not two").isEqualTo(liveBefore + 1);
            var terminate = Commands.terminate(session, "trooper", id);
            Commands.send(terminate);
            assertThat(Commands.type(Commands.replyTo(replies, session, terminate.commandId(), REPLY)))
                    .isEqualTo("InstanceTerminated");
        } finally {
            Sim.clearFaults("trooper");
        }
    }

    /** The host key the gateway pinned in its intent log, or null. */
    private String pinOf(String provider, String instanceId) {
        try {
            return VertxContextSupport.subscribeAndAwait(
                            () -> sessions.withSession(db -> intents.accessOf(db, provider, instanceId)))
                    .hostKey();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void trooperPinsTheHostKeyBeforeAnyPasswordAndAHostWhoseKeyChangedGetsNoPasswordAndFails() throws Exception {
        String session = session();
        NormalisedOffer offer = Catalogs.provisionable(providers, "trooper");
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(Commands.provision(session, offer, List.of(Commands.publicLine(Commands.newKey(), "user"))));
            ConsumerRecord<String, String> r =
                    Commands.reply(replies, session, Set.of("InstanceProvisioned", "ProvisionFailed"), REPLY);
            assertThat(Commands.type(r)).as(r.value()).isEqualTo("InstanceProvisioned");
            String instanceId = Commands.json(r).path("instance_id").asText();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> Sim.instance("trooper", instanceId)
                            .path("ssh_listening")
                            .asBoolean());
            String first =
                    Sim.instance("trooper", instanceId).path("ssh_host_key").asText();

            // first look at the running server: its key is read and pinned (intent log), no password is sent yet
            String pin = null;
            long deadline = System.currentTimeMillis() + 30_000;
            while (pin == null && System.currentTimeMillis() < deadline) {
                var pinning = Commands.describe(session, "trooper", instanceId);
                Commands.send(pinning);
                JsonNode pinned = Commands.json(Commands.replyTo(replies, session, pinning.commandId(), REPLY));
                // a look may fail transiently (unknown + error_class); it never reports running before the pin
                assertThat(pinned.path("broker_state").asText())
                        .as(pinned.toString())
                        .isIn("provisioning", "unknown");
                pin = pinOf("trooper", instanceId);
            }
            assertThat(pin).isEqualTo(first);
            assertThat(Sim.instance("trooper", instanceId)
                            .path("ssh_password_logins")
                            .asInt())
                    .isZero();

            String other = Sim.call("trooper", "POST", "/instances/" + instanceId + "/rotate-host-key", null)
                    .path("ssh_host_key")
                    .asText();
            var install = Commands.describe(session, "trooper", instanceId);
            Commands.send(install);
            JsonNode refused = Commands.json(Commands.replyTo(replies, session, install.commandId(), REPLY));
            assertThat(refused.path("broker_state").asText())
                    .as(refused.toString())
                    .isEqualTo("failed");
            assertThat(refused.path("provider_state").asText())
                    .isEqualTo("host key changed: expected " + first + ", got " + other);
            assertThat(refused.path("ssh_host_key").asText()).isEqualTo(first);
            JsonNode host = Sim.instance("trooper", instanceId);
            assertThat(host.path("ssh_password_logins").asInt())
                    .as("the root password never reached the other host")
                    .isZero();
            assertThat(host.path("ssh_keys").asInt()).isZero();

            var terminate = Commands.terminate(session, "trooper", instanceId);
            Commands.send(terminate);
            assertThat(Commands.type(Commands.replyTo(replies, session, terminate.commandId(), REPLY)))
                    .isEqualTo("InstanceTerminated");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vastai", "trooper"})
    void theSameCommandDeliveredTwiceAndReplayedCreatesOneInstanceAndAnswersWithTheFirstOutcome(String provider) {
        String session = session();
        NormalisedOffer offer = Catalogs.provisionable(providers, provider);
        ProvisionInstance cmd =
                Commands.provision(session, offer, List.of(Commands.publicLine(Commands.newKey(), "u")));
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            String eventId = UUID.randomUUID().toString();
            Commands.send(cmd, eventId);
            Commands.send(cmd, eventId);
            ConsumerRecord<String, String> first =
                    Commands.reply(replies, session, Set.of("InstanceProvisioned", "ProvisionFailed"), REPLY);
            assertThat(Commands.type(first)).as(first.value()).isEqualTo("InstanceProvisioned");
            // a replay under a new event id (session-service resending) gets the first outcome again
            Commands.send(cmd);
            List<ConsumerRecord<String, String>> all = Commands.repliesFor(
                    replies, session, Set.of("InstanceProvisioned", "ProvisionFailed"), Duration.ofSeconds(6));
            assertThat(all).hasSize(2);
            assertThat(all)
                    .allSatisfy(r -> assertThat(
                                    Commands.json(r).path("instance_id").asText())
                            .isEqualTo(Commands.json(first).path("instance_id").asText()));
            assertThat(Sim.withTag(provider, "gpub-local-" + session, false)).isEqualTo(1);
            var terminate = Commands.terminate(
                    session, provider, Commands.json(first).path("instance_id").asText());
            Commands.send(terminate);
            ConsumerRecord<String, String> t = Commands.replyTo(replies, session, terminate.commandId(), REPLY);
            assertThat(Commands.type(t)).as(t.value()).isEqualTo("InstanceTerminated");
        }
    }

    @Test
    void terminateWithoutAnInstanceIdFindsTheInstanceByItsTagAndAnAlreadyGoneInstanceCountsAsTerminated() {
        String session = session();
        String tag = "gpub-local-" + session;
        Sim.call("rackrr", "POST", "/orphans", java.util.Map.of("tag", tag));
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(Commands.terminate(session, "rackrr", null));
            ConsumerRecord<String, String> t =
                    Commands.reply(replies, session, Set.of("InstanceTerminated", "TerminateFailed"), REPLY);
            assertThat(Commands.type(t)).as(t.value()).isEqualTo("InstanceTerminated");
            assertThat(Sim.withTag("rackrr", tag, true)).isZero();
            String id = Commands.json(t).path("instance_id").asText();
            var again = Commands.terminate(session, "rackrr", id);
            Commands.send(again);
            assertThat(Commands.type(Commands.replyTo(replies, session, again.commandId(), REPLY)))
                    .isEqualTo("InstanceTerminated");
        }
    }

    @Test
    void aStaleOfferIsAnsweredWithProvisionFailedStaleInventoryAndNothingIsCreated() {
        String session = session();
        NormalisedOffer offer = Catalogs.provisionable(providers, "vastai");
        Sim.call("vastai", "POST", "/offers/" + offer.providerId() + "/gone", java.util.Map.of());
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            Commands.send(Commands.provision(session, offer, List.of(Commands.publicLine(Commands.newKey(), "u"))));
            JsonNode failed = Commands.json(
                    Commands.reply(replies, session, Set.of("ProvisionFailed", "InstanceProvisioned"), REPLY));
            assertThat(failed.path("error_class").asText()).isEqualTo("stale_inventory");
            assertThat(failed.path("retryable").asBoolean()).isFalse();
            assertThat(failed.path("offer_id").asText()).isEqualTo(offer.id());
        } finally {
            Sim.call("vastai", "POST", "/offers/" + offer.providerId() + "/gone", java.util.Map.of("gone", false));
        }
        assertThat(Sim.withTag("vastai", "gpub-local-" + session, false)).isZero();
    }

    @Test
    void aCommandForAProviderNotEnabledHereIsAckedWithoutAReplyAndMalformedOnesAreDeadLettered() {
        String session = session();
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES);
                KafkaProbe dlq = KafkaProbe.tail(Topics.deadLetter(Topics.PROVISIONING_REQUESTS))) {
            Commands.send(Commands.describe(session, "lambdalabs", "1"));
            KafkaProbe.send(
                    Topics.PROVISIONING_REQUESTS,
                    session,
                    "{not json",
                    Topics.HEADER_EVENT_ID,
                    UUID.randomUUID().toString(),
                    Topics.HEADER_EVENT_TYPE,
                    "ProvisionInstance");
            KafkaProbe.send(
                    Topics.PROVISIONING_REQUESTS,
                    session,
                    "{\"session_id\":\"" + session + "\"}",
                    Topics.HEADER_EVENT_ID,
                    UUID.randomUUID().toString(),
                    Topics.HEADER_EVENT_TYPE,
                    "TerminateInstance");
            List<ConsumerRecord<String, String>> dead = dlq.pollUntil(
                    REPLY,
                    r -> session.equals(r.key())
                            && String.valueOf(KafkaProbe.header(r, "dead-letter-reason"))
                                    .contains("command_id"));
            assertThat(dead.stream().filter(r -> session.equals(r.key()))).hasSize(2);
            // a later command of the same session is still answered: the consumer went on
            Commands.send(Commands.describe(session, "vastai", "424242"));
            JsonNode st = Commands.json(Commands.reply(replies, session, Set.of("InstanceStatus"), REPLY));
            assertThat(st.path("broker_state").asText()).isEqualTo("gone");
            assertThat(Commands.repliesFor(replies, session, Set.of("InstanceStatus"), Duration.ofSeconds(1)))
                    .hasSize(1);
        }
    }
}
