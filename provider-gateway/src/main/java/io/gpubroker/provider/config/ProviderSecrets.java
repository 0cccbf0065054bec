package io.gpubroker.provider.config;

import io.gpubroker.kit.security.Secret;
import io.gpubroker.kit.security.SecretSet;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The API key of every enabled provider (a disabled one needs none). */
@ApplicationScoped
public class ProviderSecrets implements SecretSet {
    private final Providers providers;

    public ProviderSecrets(Providers providers) {
        this.providers = providers;
    }

    @Override
    public List<Secret> secrets() {
        return providers.enabled().stream()
                .map(p -> Secret.providerKey(p.name()))
                .toList();
    }
}
