package io.gpubroker.session.config;

import io.gpubroker.kit.security.Secret;
import io.gpubroker.kit.security.SecretSet;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** session-service's own secret: the verification secret its per-session SSH keys derive from. */
@ApplicationScoped
public class SessionSecrets implements SecretSet {
    @Override
    public List<Secret> secrets() {
        return List.of(Secret.own("broker.verify-secret", "BROKER_VERIFY_SECRET"));
    }
}
