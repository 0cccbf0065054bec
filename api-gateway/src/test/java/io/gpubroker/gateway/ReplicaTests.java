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
