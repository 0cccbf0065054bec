package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A user's whole path on every provider, through real processes: offer from the catalog → session
 * → provider instance created the provider's way → SSH verified by the broker → the user logs in
 * with the returned key → done → the provider confirms the instance is gone and stops billing.
 */
class SessionLifecycleTests {

    /** Offers already handed to a test: Vast asks are single-use, and the catalog lags the provider. */
    static final java.util.Set<String> USED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A random available, fresh offer of {@code provider} that no other test of this run has used. */
    static JsonNode firstOffer(String provider) {
        AtomicReference<JsonNode> offer = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    E2EStack.Reply r = call(
                            "GET", url("inventory-service") + "/inventory?provider=" + provider + "&limit=200", null);
                    if (r.status() != 200) {
                        return false;
                    }
                    java.util.List<JsonNode> candidates = new java.util.ArrayList<>();
                    for (JsonNode o : r.body().path("offers")) {
                        if (o.path("available").asBoolean()
                                && !o.path("stale").asBoolean(false)
                                && !USED.contains(o.path("id").asText())) {
                            candidates.add(o);
                        }
                    }
                    if (candidates.isEmpty()) {
                        return false;
                    }
                    JsonNode pick = candidates.get(
                            java.util.concurrent.ThreadLocalRandom.current().nextInt(candidates.size()));
                    USED.add(pick.path("id").asText());
                    offer.set(pick);
                    return true;
                });
        return offer.get();
    }

    static JsonNode awaitStatus(String id, String want) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    JsonNode s = call("GET", url("session-service") + "/sessions/" + id, null)
                            .body();
                    last.set(s);
                    String st = s.path("status").asText();
                    if (!st.equals(want)
                            && (st.equals("failed") || (st.equals("stopped") && !want.equals("stopped")))) {
                        throw new AssertionError("session " + id + " ended " + st + ": " + s);
                    }
                    return st.equals(want);
                });
        return last.get();
    }

    @ParameterizedTest
    @ValueSource(strings = {"vastai", "tensordock", "rackrr", "barrack", "trooper"})
    void aSessionRunsIsReachableWithTheReturnedKeyAndLeavesNothingBehind(String provider) throws Exception {
        JsonNode offer = firstOffer(provider);
        E2EStack.Reply created = call(
                "POST",
                url("session-service") + "/sessions",
                Map.of(
                        "consumer_id",
                        "e2e-" + provider,
                        "offer_id",
                        offer.path("id").asText(),
                        "workload_type",
                        "batch",
                        "reservation_hours",
                        1));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String id = created.body().path("session").path("id").asText();
        String key = created.body().path("ssh_private_key").asText();
        assertThat(key).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");

        JsonNode running = awaitStatus(id, "running");
        assertThat(running.has("ssh_private_key")).isFalse();
        String out = E2EStack.ssh(
                running.path("ssh_host").asText(),
                running.path("ssh_port").asInt(),
                running.path("ssh_user").asText(),
                key,
                "nvidia-smi --query-gpu=name --format=csv,noheader");
        assertThat(out).containsIgnoringCase(offer.path("gpu_type").asText().split(" ")[0]);
        // no idle probe and no app to launch: the broker's key leaves the host, the user's stays
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> sshKeysOn(provider, id) == 1);
        assertThat(E2EStack.ssh(
                        running.path("ssh_host").asText(),
                        running.path("ssh_port").asInt(),
                        running.path("ssh_user").asText(),
                        key,
                        "echo still-in"))
                .isEqualTo("still-in\n");

        E2EStack.Reply done = call("POST", url("session-service") + "/sessions/" + id + "/done", null);
        assertThat(done.status()).isEqualTo(200);
        JsonNode stopped = awaitStatus(id, "stopped");
        assertThat(stopped.path("stopped_at").asText()).isNotBlank();

        JsonNode sim = E2EStack.simInstances(provider);
        boolean found = false;
        for (JsonNode i : sim.path("instances")) {
            if (i.path("tag").asText("").contains(id)) {
                found = true;
                assertThat(i.path("destroyed").asBoolean())
                        .as("instance of " + id + " destroyed")
                        .isTrue();
                assertThat(i.path("billing").asBoolean()).isFalse();
            }
        }
        assertThat(found).as("the simulator saw the session's tagged instance").isTrue();
    }

    /** Keys in authorized_keys of the session's simulated instance (-1 while it is not listed). */
    static int sshKeysOn(String provider, String sessionId) throws Exception {
        for (JsonNode i : E2EStack.simInstances(provider).path("instances")) {
            if (i.path("tag").asText("").contains(sessionId)
                    && !i.path("destroyed").asBoolean()) {
                return i.path("ssh_keys").asInt(-1);
            }
        }
        return -1;
    }
}
