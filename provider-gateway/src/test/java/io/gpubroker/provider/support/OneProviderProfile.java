package io.gpubroker.provider.support;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The gateway as one provider's process ({@code BROKER_GATEWAY_PROVIDERS=rackrr}): the module's profile
 * with every simulator running, but this process serving Rackrr only, in a consumer group of its own.
 */
public class OneProviderProfile extends GatewayTestProfile {
    public static final String SERVED = "rackrr";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("broker.gateway.providers", SERVED);
        m.put(
                "mp.messaging.incoming.provisioning-requests.group.id",
                "provider-gateway-" + SERVED + "-test-" + UUID.randomUUID());
        return m;
    }
}
