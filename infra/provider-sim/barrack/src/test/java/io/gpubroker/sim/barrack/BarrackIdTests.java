package io.gpubroker.sim.barrack;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A restarted simulator (same configuration, same seed) never hands out an instance id it gave before. */
class BarrackIdTests {
    static final int PER_RUN = 5;
    /** Both runs' clocks start from the same broker time, as the stack's clock did before it was kept across restarts. */
    static final Instant CLOCK_START = Instant.now();

    @Test
    void twoSimulatorsInSequenceNeverHandOutTheSameInstanceId() throws Exception {
        Set<String> first = instanceIdsOfOneRun();
        Thread.sleep(1_000); // a restart of the simulators' JVM takes longer than this
        Set<String> second = instanceIdsOfOneRun();
        assertThat(first).hasSize(PER_RUN).allMatch(id -> id.matches("BRK-[A-Z0-9]{7}"), "documented id shape");
        assertThat(second).hasSize(PER_RUN).allMatch(id -> id.matches("BRK-[A-Z0-9]{7}"), "documented id shape");
        assertThat(second).doesNotContainAnyElementsOf(first);
    }

    /** Starts the simulator as the stack does, has it create instances, stops it. */
    static Set<String> instanceIdsOfOneRun() throws Exception {
        Set<String> ids = new LinkedHashSet<>();
        try (Simulators sims =
                Simulators.start(new SimConfig(), new SimClock(Instant.now(), CLOCK_START, 1), "barrack")) {
            String control = String.valueOf(sims.describe().get("barrack").get("control_url"));
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < PER_RUN; i++) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(control + "/orphans"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
                                        .put("tag", "gpub-idtest-sess-" + i)
                                        .encode()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                ids.add(String.valueOf(new JsonObject(r.body()).getValue("id")));
            }
        }
        return ids;
    }
}
