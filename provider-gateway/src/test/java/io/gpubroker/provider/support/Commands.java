package io.gpubroker.provider.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.KafkaProbe;
import java.math.BigDecimal;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/** Puts commands on {@code provisioning.requests} the way session-service does and reads the replies. */
public final class Commands {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile boolean ready;

    private Commands() {}

    public static KeyPair newKey() {
        try {
            return KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String publicLine(KeyPair k, String comment) {
        return PublicKeyEntry.toString(k.getPublic()) + " " + comment;
    }

    public static ProvisionInstance provision(String session, NormalisedOffer offer, List<String> keys) {
        return provision(session, offer, keys, Instant.now(), null);
    }

    /** A create requested at {@code requestedAt} that must not begin after {@code deadline} (null: none). */
    public static ProvisionInstance provision(
            String session, NormalisedOffer offer, List<String> keys, Instant requestedAt, Instant deadline) {
        return new ProvisionInstance(
                "cmd-" + UUID.randomUUID(),
                session,
                "team-test",
                offer.provider(),
                offer.id(),
                offer.provisioning(),
                offer.gpuType(),
                offer.gpuCount(),
                offer.pricePerHour(),
                keys,
                null,
                null,
                "ssh",
                null,
                null,
                List.of(),
                Map.of(),
                null,
                requestedAt,
                deadline,
                0);
    }

    public static TerminateInstance terminate(String session, String provider, String instanceId) {
        return new TerminateInstance("cmd-" + UUID.randomUUID(), session, provider, instanceId, "done", Instant.now());
    }

    public static DescribeInstance describe(String session, String provider, String instanceId) {
        return new DescribeInstance("cmd-" + UUID.randomUUID(), session, provider, instanceId, Instant.now());
    }

    /** Sends {@code cmd} with a fresh event id; returns the id. */
    public static String send(BrokerEvent cmd) {
        String id = UUID.randomUUID().toString();
        send(cmd, id);
        return id;
    }

    public static void send(BrokerEvent cmd, String eventId) {
        KafkaProbe.send(
                Topics.PROVISIONING_REQUESTS,
                cmd.aggregateId(),
                EventCatalog.toJson(cmd),
                Topics.HEADER_EVENT_ID,
                eventId,
                Topics.HEADER_EVENT_TYPE,
                cmd.getClass().getSimpleName());
    }

    /** The first reply for {@code session} of one of {@code types} (waits up to {@code timeout}). */
    public static ConsumerRecord<String, String> reply(
            KafkaProbe replies, String session, Set<String> types, Duration timeout) {
        List<ConsumerRecord<String, String>> seen = replies.pollUntil(
                timeout,
                r -> session.equals(r.key()) && types.contains(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)));
        return seen.stream()
                .filter(r -> session.equals(r.key()) && types.contains(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + types + " reply for " + session + " within " + timeout));
    }

    /** The reply to command {@code commandId} (several commands of one session are in flight in a test). */
    public static ConsumerRecord<String, String> replyTo(
            KafkaProbe replies, String session, String commandId, Duration timeout) {
        java.util.function.Predicate<ConsumerRecord<String, String>> mine = r -> session.equals(r.key())
                && commandId.equals(json(r).path("command_id").asText());
        List<ConsumerRecord<String, String>> seen = replies.pollUntil(timeout, mine);
        return seen.stream()
                .filter(mine)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no reply to " + commandId + " within " + timeout));
    }

    /** Replies for {@code session} of one of {@code types} seen so far by {@code replies}. */
    public static List<ConsumerRecord<String, String>> repliesFor(
            KafkaProbe replies, String session, Set<String> types, Duration wait) {
        return replies.drain(wait).stream()
                .filter(r -> session.equals(r.key()) && types.contains(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)))
                .toList();
    }

    public static JsonNode json(ConsumerRecord<String, String> r) {
        try {
            return JSON.readTree(r.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String type(ConsumerRecord<String, String> r) {
        return KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE);
    }

    /**
     * The test gateway's consumer starts at the latest offset: until its partitions are assigned a
     * command can be missed. Sends harmless describes until one is answered (once per JVM).
     */
    public static synchronized void awaitConsumerReady() {
        if (ready) {
            return;
        }
        awaitConsumerReady("vastai");
        ready = true;
    }

    /** Sends harmless describes for {@code provider} (one this gateway serves) until one is answered. */
    public static void awaitConsumerReady(String provider) {
        try (KafkaProbe replies = KafkaProbe.tail(Topics.PROVISIONING_REPLIES)) {
            String session = "warmup-" + UUID.randomUUID();
            long deadline = System.currentTimeMillis() + 90_000;
            while (System.currentTimeMillis() < deadline) {
                send(describe(session, provider, "1"));
                boolean answered = replies.pollUntil(Duration.ofSeconds(3), r -> session.equals(r.key())).stream()
                        .anyMatch(r -> session.equals(r.key()));
                if (answered) {
                    return;
                }
            }
            throw new AssertionError("the gateway's command consumer never answered");
        }
    }

    /** Logs in over real SSH with {@code key} and runs {@code command}. */
    public static String ssh(String host, int port, String user, KeyPair key, String command) throws Exception {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
        try (ClientSession s =
                client.connect(user, host, port).verify(Duration.ofSeconds(5)).getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(5));
            return s.executeRemoteCommand(command);
        } finally {
            client.stop();
        }
    }

    public static BigDecimal usd(String s) {
        return new BigDecimal(s);
    }
}
