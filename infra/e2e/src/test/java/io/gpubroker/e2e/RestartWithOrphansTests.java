package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.stack.Stack;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue #12: orphans left billing after {@code ./broker down} / {@code up}. The restart then set the
 * fast clock back (it started again from the wall clock), so the orphans' stored "last commanded at"
 * lay in the future and the resend guard ("commanded recently") never fired. The launcher now keeps
 * the clock's position (ClockPositionTests); this test proves the guard itself survives a clock that
 * is behind, as the issue asks. The simulators keep running across the restart: they stand for the
 * providers' clouds, which a broker restart does not touch (restarted, they would lose the orphans
 * and prove nothing). Only the services restart, on a clock set six broker-hours back, and the
 * orphan whose destroys were refused before the restart must be destroyed after it.
 */
class RestartWithOrphansTests {
    static final String PROVIDER = "rackrr";
    static final Duration CLOCK_BACK = Duration.ofHours(6);

    @Test
    void anOrphanCommandedBeforeARestartThatSetTheClockBackIsDestroyedAfterIt() {
        Stack stack = E2EStack.get();
        String ctl = (String) E2EStack.sim(PROVIDER).get("control_url");
        String session = "sess-restart" + UUID.randomUUID().toString().substring(0, 8);
        E2EStack.simFault(PROVIDER, Map.of("op", "destroy", "status", 503));
        try {
            E2EStack.Reply orphan = call("POST", ctl + "/orphans", Map.of("tag", "gpub-local-" + session));
            assertThat(orphan.status()).isEqualTo(201);
            String instanceId = orphan.body().path("id").asText();
            // the broker found it and commanded its destruction, which the provider refused
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> !"0"
                            .equals(stack.postgres()
                                    .query(
                                            stack.postgres().database(),
                                            "select count(*) from session.orphans where instance_id = '" + instanceId
                                                    + "'")));

            long wall = System.currentTimeMillis();
            Instant brokerBefore = stack.brokerNow();
            stack.restartServices(brokerBefore.minus(CLOCK_BACK));
            E2EStack.simReset(PROVIDER);
            try {
                // the next listings (every minute) must command it again although its last command lies in the future
                await().atMost(Duration.ofSeconds(150))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> destroyed(instanceId));
            } finally {
                // put the services back on the simulators' clock for the tests after this one
                stack.restartServices(
                        brokerBefore.plusMillis((long) ((System.currentTimeMillis() - wall) * E2EStack.CLOCK_SCALE)));
            }
        } finally {
            E2EStack.simReset(PROVIDER);
        }
    }

    static boolean destroyed(String instanceId) {
        for (JsonNode i : E2EStack.simInstances(PROVIDER).path("instances")) {
            if (i.path("id").asText().equals(instanceId)) {
                return i.path("destroyed").asBoolean() && !i.path("billing").asBoolean();
            }
        }
        throw new AssertionError("the simulator lost instance " + instanceId);
    }
}
