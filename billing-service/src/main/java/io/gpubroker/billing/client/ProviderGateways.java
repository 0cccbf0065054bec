package io.gpubroker.billing.client;

import io.gpubroker.kit.upstream.UpstreamAddresses;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The provider-gateway process that serves a given provider: with one gateway per provider
 * (docs/adr/0014) a provider's billing must be read from its own process, reached as the Stork
 * service {@code provider-gateway-<provider>}; otherwise the one all-providers gateway.
 */
@ApplicationScoped
public class ProviderGateways {
    private final ProviderGatewayClient shared;
    private final Map<String, ProviderGatewayClient> perProvider = new LinkedHashMap<>();

    public ProviderGateways(
            @RestClient ProviderGatewayClient shared,
            @ConfigProperty(name = UpstreamAddresses.PER_PROVIDER_PROPERTY) Optional<List<String>> providers,
            @ConfigProperty(name = "quarkus.rest-client.provider-gateway.connect-timeout", defaultValue = "5000")
                    long connectTimeoutMs,
            @ConfigProperty(name = "quarkus.rest-client.provider-gateway.read-timeout", defaultValue = "600000")
                    long readTimeoutMs) {
        this.shared = shared;
        for (String p : providers.orElse(List.of())) {
            perProvider.put(
                    p,
                    QuarkusRestClientBuilder.newBuilder()
                            .baseUri(URI.create("stork://provider-gateway-" + p))
                            .connectTimeout(connectTimeoutMs, TimeUnit.MILLISECONDS)
                            .readTimeout(readTimeoutMs, TimeUnit.MILLISECONDS)
                            .build(ProviderGatewayClient.class));
        }
    }

    /** The gateway to ask about {@code provider}. */
    public ProviderGatewayClient forProvider(String provider) {
        return perProvider.getOrDefault(provider, shared);
    }

    /** Every gateway process group to ask which providers it serves (one per provider, or the shared one). */
    public Map<String, ProviderGatewayClient> all() {
        return perProvider.isEmpty() ? Map.of("provider-gateway", shared) : Map.copyOf(perProvider);
    }
}
