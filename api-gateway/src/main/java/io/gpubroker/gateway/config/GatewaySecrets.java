package io.gpubroker.gateway.config;

import io.gpubroker.kit.security.Secret;
import io.gpubroker.kit.security.SecretSet;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The gateway's own secret: the operator's admin key. */
@ApplicationScoped
public class GatewaySecrets implements SecretSet {
    @Override
    public List<Secret> secrets() {
        return List.of(Secret.own("broker.admin-key", "BROKER_ADMIN_KEY"));
    }
}
