package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two real replicas of inventory- and session-service behind one gateway: calls are spread over
 * both (the streamed inventory routes and the buffered session routes alike), and when one replica
 * of each is stopped, every request still succeeds on the other.
 */
@QuarkusTest
@TestProfile(ReplicaTests.TwoReplicas.class)
class ReplicaTests {

    /** The test profile with each of the two services given as a list of two URLs. */
    public static class TwoReplicas extends GatewayTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            List<TestResourceEntry> l = new ArrayList<>(super.testResources());
            l.removeIf(e -> e.getClazz() == GatewayTestProfile.Fakes.class);
            l.add(new TestResourceEntry(TwoReplicaFakes.class));
            return l;
        }
    }

    /** The fake services, inventory and session as two replicas each. */
    public static class TwoReplicaFakes extends GatewayTestProfile.Fakes {
        @Override
        public Map<String, String> start() {
            FakeServices f = FakeServices.get();
            Map<String, String> m = new HashMap<>(super.start());
            m.put("broker.services.inventory-service.url", f.inventory.url() + ", " + f.inventory2.url());
            m.put("broker.services.session-service.url", f.session.url() + "," + f.session2.url());
            return m;
        }
    }

    @Test
    void callsAreSpreadOverTheReplicasAndKeepSucceedingWhenOneIsStopped() {
        FakeServices f = FakeServices.get();
        String run = UUID.randomUUID().toString().substring(0, 8);

        Set<Integer> inventoryPorts = ports(f, "inv-" + run, 30, "/api/v1/inventory/vastai-1");
        Set<Integer> sessionPorts = ports(f, "ses-" + run, 30, "/api/v1/sessions");
        assertThat(inventoryPorts)
                .as("inventory replicas that got calls")
                .containsExactlyInAnyOrder(f.inventory.port, f.inventory2.port);
        assertThat(sessionPorts)
                .as("session replicas that got calls")
                .containsExactlyInAnyOrder(f.session.port, f.session2.port);

        f.inventory2.stop();
        f.session2.stop();
        try {
            assertThat(ports(f, "inv-down-" + run, 30, "/api/v1/inventory/vastai-1"))
                    .as("every call answered by the replica left")
                    .containsExactly(f.inventory.port);
            assertThat(ports(f, "ses-down-" + run, 30, "/api/v1/sessions")).containsExactly(f.session.port);
        } finally {
            f.inventory2.restart();
            f.session2.restart();
        }
    }

    /** What a session-service replica's Micrometer registry serves (the seed families and one it keeps to itself). */
    static String sessionMetrics(int orphans, int destroyFailures, int verifies, double verifySeconds, int active) {
        return """
                # HELP gpu_sessions_active Sessions by provider and status (from the database)
                # TYPE gpu_sessions_active gauge
                gpu_sessions_active{provider="vastai",status="running",} %d.0
                gpu_sessions_active{provider="rackrr",status="provisioning",} 1.0
                # HELP gpu_orphans_detected_total \s
                # TYPE gpu_orphans_detected_total counter
                gpu_orphans_detected_total %d.0
                # HELP gpu_destroy_failures_total \s
                # TYPE gpu_destroy_failures_total counter
                gpu_destroy_failures_total %d.0
                # HELP gpu_ssh_verify_failures_total \s
                # TYPE gpu_ssh_verify_failures_total counter
                gpu_ssh_verify_failures_total 0.0
                # HELP gpu_ssh_verify_duration_seconds SSH verification attempts
                # TYPE gpu_ssh_verify_duration_seconds histogram
                gpu_ssh_verify_duration_seconds_bucket{le="1.0",} 0.0
                gpu_ssh_verify_duration_seconds_bucket{le="5.0",} %d.0
                gpu_ssh_verify_duration_seconds_bucket{le="+Inf",} %d.0
                gpu_ssh_verify_duration_seconds_count %d.0
                gpu_ssh_verify_duration_seconds_sum %s
                # HELP gpu_ssh_verify_duration_seconds_max SSH verification attempts
                # TYPE gpu_ssh_verify_duration_seconds_max gauge
                gpu_ssh_verify_duration_seconds_max %s
                # HELP gpu_sessions_created_total \s
                # TYPE gpu_sessions_created_total counter
                gpu_sessions_created_total{provider="vastai",} 7.0
                """.formatted(
                        active,
                        orphans,
                        destroyFailures,
                        verifies,
                        verifies,
                        verifies,
                        verifySeconds,
                        verifySeconds / Math.max(1, verifies));
    }

    @Test
    void theSeedMetricsAreSummedOverReplicasAndGaugesAreNot() {
        FakeServices f = FakeServices.get();
        f.session.metrics = sessionMetrics(1, 2, 3, 6.0, 4);
        f.session2.metrics = sessionMetrics(2, 0, 1, 4.0, 4);
        f.providerGateway.metrics = """
                # HELP gpu_provider_api_errors_total \s
                # TYPE gpu_provider_api_errors_total counter
                gpu_provider_api_errors_total{operation="create",provider="rackrr",} 5.0
                gpu_provider_api_errors_total{operation="destroy",provider="vastai",} 1.0
                """;
        try {
            // what Prometheus 2.x sends as Accept
            Response r = io.restassured.RestAssured.given()
                    .header(
                            "Accept",
                            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
                    .get("/metrics");
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            assertThat(r.contentType()).startsWith("text/plain");
            List<String> lines = r.asString().lines().toList();
            // counters and histogram parts: the sum of both replicas
            assertThat(lines)
                    .contains(
                            "# TYPE gpu_orphans_detected_total counter",
                            "gpu_orphans_detected_total 3",
                            "gpu_destroy_failures_total 2",
                            "gpu_ssh_verify_failures_total 0",
                            "# TYPE gpu_ssh_verify_duration_seconds histogram",
                            "gpu_ssh_verify_duration_seconds_bucket{le=\"5.0\"} 4",
                            "gpu_ssh_verify_duration_seconds_bucket{le=\"+Inf\"} 4",
                            "gpu_ssh_verify_duration_seconds_count 4",
                            "gpu_ssh_verify_duration_seconds_sum 10",
                            "gpu_provider_api_errors_total{operation=\"create\",provider=\"rackrr\"} 5",
                            "gpu_provider_api_errors_total{operation=\"destroy\",provider=\"vastai\"} 1")
                    // gauges: both replicas read the same database, so 4 running sessions stay 4; max of the maxima
                    .contains(
                            "# TYPE gpu_sessions_active gauge",
                            "gpu_sessions_active{provider=\"vastai\",status=\"running\"} 4",
                            "gpu_sessions_active{provider=\"rackrr\",status=\"provisioning\"} 1",
                            "gpu_ssh_verify_duration_seconds_max 4")
                    .contains(
                            "gpu_broker_metrics_source_up{source=\"" + f.session.url() + "\"} 1",
                            "gpu_broker_metrics_source_up{source=\"" + f.session2.url() + "\"} 1",
                            "gpu_broker_metrics_source_up{source=\"" + f.providerGateway.url() + "\"} 1");
            // what an owner keeps to itself stays there; the gateway's own metrics are still served
            assertThat(r.asString())
                    .doesNotContain("gpu_sessions_created_total")
                    // a process metric: this can be the profile's first request, before any HTTP timer exists
                    .contains("system_cpu_usage");
            // each family once, however many replicas have it
            assertThat(lines.stream().filter(l -> l.equals("# TYPE gpu_orphans_detected_total counter")))
                    .hasSize(1);

            // a replica that does not answer is left out and said to be down; the rest is still served
            f.session2.stop();
            try {
                String partial = io.restassured.RestAssured.get("/metrics").asString();
                assertThat(partial.lines())
                        .contains(
                                "gpu_orphans_detected_total 1",
                                "gpu_broker_metrics_source_up{source=\"" + f.session2.url() + "\"} 0");
            } finally {
                f.session2.restart();
            }
        } finally {
            f.session.metrics = null;
            f.session2.metrics = null;
            f.providerGateway.metrics = null;
        }
    }

    /** Sends {@code n} requests (each must answer 200) and returns the replica ports that served them. */
    private static Set<Integer> ports(FakeServices f, String prefix, int n, String path) {
        for (int i = 0; i < n; i++) {
            String rid = prefix + "-" + i;
            Response r = Api.admin().header("X-Request-ID", rid).get(path);
            assertThat(r.statusCode()).as(rid + ": " + r.asString()).isEqualTo(200);
            assertThat(r.header("X-Request-ID")).isEqualTo(rid);
        }
        return f
                .received(x -> x.header("X-Request-ID") != null
                        && x.header("X-Request-ID").startsWith(prefix + "-"))
                .stream()
                .map(FakeServices.Received::port)
                .collect(Collectors.toSet());
    }
}
