package io.gpubroker.sim.rackrr;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The GUESSED rate limit: off by default, a 429 with {"message"} and Retry-After when configured. */
class RackrrRateLimitTests {

    static RackrrHarness h;

    @BeforeAll
    static void start() {
        h = new RackrrHarness(RackrrHarness.testConfig().set("rackrr.rate-limit-per-minute", "3"));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void requestsBeyondTheConfiguredPerMinuteLimitGet429WithRetryAfter() {
        h.reset();
        for (int i = 0; i < 3; i++) {
            assertThat(h.get("/vms").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = h.get("/vms/available");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(new JsonObject(limited.body()).getString("message")).contains("Too many requests");
        assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1, 60);
        assertThat(h.controlGet("/info").getString("name")).isEqualTo("rackrr");
    }

    @Test
    void theLimitIsOffByDefault() {
        try (RackrrHarness defaults = new RackrrHarness(RackrrHarness.testConfig())) {
            for (int i = 0; i < 50; i++) {
                assertThat(defaults.get("/wallets/balance").statusCode()).isEqualTo(200);
            }
        }
    }
}
