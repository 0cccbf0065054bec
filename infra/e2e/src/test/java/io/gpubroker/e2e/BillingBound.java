package io.gpubroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Nothing bills past its session's end, seen from the simulators' own books ({@code /_sim/instances}).
 * The bound: a session's end ({@code stopped_at}, broker time, set when it became stopped or failed)
 * plus {@link #REAL_BUDGET} of real time, in broker time {@code REAL_BUDGET * clock scale} (10 min at
 * 60x): one command over Kafka, a provider call and its confirmation. An instance created late for a
 * session that had already failed (the issue: 13-78 s real) is far outside it.
 */
final class BillingBound {
    static final Duration REAL_BUDGET = Duration.ofSeconds(10);
    static final Duration BOUND = Duration.ofMillis((long) (REAL_BUDGET.toMillis() * E2EStack.CLOCK_SCALE));

    private BillingBound() {}

    /** A session that ended, with the provider it was on and its end (broker clock). */
    record Ended(String id, String provider, String status, Instant end) {}

    /**
     * Waits until the session is stopped or failed. A status call that times out is asked again:
     * right after a crash and restart a busy session-service may answer late, which proves nothing.
     */
    static JsonNode awaitEnded(String id) {
        java.util.concurrent.atomic.AtomicReference<JsonNode> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofMinutes(6))
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptionsInstanceOf(IllegalStateException.class)
                .until(() -> {
                    JsonNode s = E2EStack.call("GET", E2EStack.url("session-service") + "/sessions/" + id, null)
                            .body();
                    last.set(s);
                    return s.path("status").asText().equals("failed")
                            || s.path("status").asText().equals("stopped");
                });
        return last.get();
    }

    static Ended ended(JsonNode session) {
        assertThat(session.path("stopped_at").isTextual())
                .as("ended session has stopped_at: " + session)
                .isTrue();
        return new Ended(
                session.path("id").asText(),
                session.path("provider").asText(),
                session.path("status").asText(),
                Instant.parse(session.path("stopped_at").asText()));
    }

    /**
     * Every instance any provider holds for these sessions is destroyed, no longer billing, and
     * stopped billing no later than its session's end + {@link #BOUND}; a violation names the
     * instance, its session and how late it was.
     */
    static void nothingBilledPastTheEnd(List<Ended> sessions) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    List<String> violations = new ArrayList<>();
                    for (String provider : SessionFaultsTests.PROVIDERS) {
                        for (JsonNode i : E2EStack.simInstances(provider).path("instances")) {
                            String tag = i.path("tag").asText("");
                            for (Ended s : sessions) {
                                if (tag.contains(s.id())) {
                                    check(s, provider, i, violations);
                                }
                            }
                        }
                    }
                    assertThat(violations)
                            .as("instances billing past their session's end + " + BOUND)
                            .isEmpty();
                });
    }

    private static void check(Ended s, String provider, JsonNode i, List<String> violations) {
        String what = provider + " instance " + i.path("id").asText() + " (created "
                + i.path("created_at").asText() + ") of session " + s.id() + " (" + s.status() + " at " + s.end() + ")";
        if (!i.path("destroyed").asBoolean() || i.path("billing").asBoolean()) {
            violations.add(what + " is still " + i.path("state").asText() + ", billing="
                    + i.path("billing").asBoolean());
            return;
        }
        if (i.path("billing_stopped_at").isTextual()) {
            Instant stopped = Instant.parse(i.path("billing_stopped_at").asText());
            Duration late = Duration.between(s.end(), stopped);
            if (late.compareTo(BOUND) > 0) {
                violations.add(what + " billed until " + stopped + ", " + late.toSeconds() + " broker-s after the end");
            }
        }
    }
}
