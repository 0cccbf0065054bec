package io.gpubroker.gateway;

import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The module's one test profile: the shared stack plus the fake domain services, and small limits. */
public class GatewayTestProfile extends BrokerTestProfile {
    public static final String ADMIN = "test-admin-key-0123456789";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("broker.admin-key", ADMIN);
        // "localhost" costs RestAssured ~120 ms per call here (name resolution); the loopback address does not
        m.put("quarkus.http.host", "127.0.0.1");
        m.put("broker.upstream.timeout", "1s");
        m.put("broker.upstream.health-timeout", "500ms");
        m.put("broker.rate-limit.requests-per-second", "20");
        m.put("broker.rate-limit.burst", "40");
        // event-stream tests wait for a heartbeat to prove nothing else was coming
        m.put("broker.events.heartbeat", "1s");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        List<TestResourceEntry> l = new ArrayList<>(super.testResources());
        l.add(new TestResourceEntry(Fakes.class));
        return l;
    }

    /** Starts the fake services before Quarkus and points the gateway at them. */
    public static class Fakes implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            FakeServices f = FakeServices.get();
            return Map.of(
                    "broker.services.inventory-service.url",
                    f.inventory.url(),
                    "broker.services.session-service.url",
                    f.session.url(),
                    "broker.services.billing-service.url",
                    f.billing.url(),
                    "broker.metrics.provider-gateway-url",
                    f.providerGateway.url());
        }

        @Override
        public void stop() {
            // the servers die with the JVM
        }
    }
}
