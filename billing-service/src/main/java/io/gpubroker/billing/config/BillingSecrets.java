package io.gpubroker.billing.config;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.kit.security.Secret;
import io.gpubroker.kit.security.SecretSet;
import org.eclipse.microprofile.config.ConfigProvider;

/** The API key of every provider whose billing this service reconciles (those with a base URL). */
@ApplicationScoped
public class BillingSecrets implements SecretSet {
    private static final List<String> RECONCILED = List.of("vastai", "rackrr", "barrack");

    @Override
    public List<Secret> secrets() {
        return RECONCILED.stream()
                .filter(p -> ConfigProvider.getConfig()
                        .getOptionalValue("broker.providers." + p + ".base-url", String.class).isPresent())
                .map(Secret::providerKey)
                .toList();
    }
}
