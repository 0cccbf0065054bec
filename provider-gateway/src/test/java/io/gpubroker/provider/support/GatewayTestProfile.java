package io.gpubroker.provider.support;

import io.gpubroker.testkit.BrokerTestProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The module's one test profile: the shared stack profile plus the five provider simulators
 * (started in-process by {@link SimulatorsResource}), fast retry/breaker timings, schedules off
 * (tests poll and list on demand) and a consumer group of its own that starts at the latest offset,
 * so commands other modules' tests left on the shared topic are not replayed into this one.
 */
public class GatewayTestProfile extends BrokerTestProfile {
    static final String GROUP = "provider-gateway-test-" + UUID.randomUUID();

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("mp.messaging.incoming.provisioning-requests.group.id", GROUP);
        m.put("mp.messaging.incoming.provisioning-requests.auto.offset.reset", "latest");
        m.put("broker.offers.poll-enabled", "false");
        m.put("broker.inventory.enabled", "false");
        m.put("broker.terminate.confirm-poll", "PT0.1S");
        m.put("broker.terminate.confirm-timeout", "PT20S");
        m.put("broker.offers.page-size", "25");
        for (String p : List.of("vastai", "tensordock", "rackrr", "barrack", "trooper")) {
            String k = "broker.providers." + p + ".";
            m.put(k + "retry-delay", "50ms");
            m.put(k + "retry-max-delay", "200ms");
            m.put(k + "retry-jitter", "10ms");
            m.put(k + "rate-limit-per-second", "200");
            m.put(k + "rate-limit-backoff", "200ms");
            m.put(k + "call-timeout", "10s");
            m.put(k + "breaker-volume", "4");
            m.put(k + "breaker-delay", "3s");
            m.put(k + "breaker-successes", "1");
        }
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        List<TestResourceEntry> r = new ArrayList<>(super.testResources());
        r.add(new TestResourceEntry(SimulatorsResource.class));
        return r;
    }
}
