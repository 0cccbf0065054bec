package io.gpubroker.gateway.config;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.kit.security.Secret;
import io.gpubroker.kit.security.SecretSet;

/** The gateway's own secret: the operator's admin key. */
@ApplicationScoped
public class GatewaySecrets implements SecretSet {
    @Override
    public List<Secret> secrets() {
        return List.of(Secret.own("broker.admin-key", "BROKER_ADMIN_KEY"));
    }
}
