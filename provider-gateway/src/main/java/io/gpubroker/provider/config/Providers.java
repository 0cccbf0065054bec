package io.gpubroker.provider.config;

import io.gpubroker.provider.adapter.ProviderAdapter;
import io.gpubroker.provider.adapter.ProviderSettings;
import io.gpubroker.provider.adapter.barrack.BarrackAdapter;
import io.gpubroker.provider.adapter.rackrr.RackrrAdapter;
import io.gpubroker.provider.adapter.tensordock.TensorDockAdapter;
import io.gpubroker.provider.adapter.trooper.TrooperAdapter;
import io.gpubroker.provider.adapter.vastai.VastAiAdapter;
import io.gpubroker.provider.resilience.ProviderGuard;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The providers this process serves: the enabled ones ({@code broker.providers.<p>.enabled} with a base URL),
 * narrowed to {@code broker.gateway.providers} when set — one gateway process per provider (ADR 0014) —
 * each with its adapter, settings and guard.
 */
@ApplicationScoped
public class Providers {
    private static final Logger LOG = Logger.getLogger(Providers.class);

    /** One enabled provider. */
    public record Provider(String name, ProviderSettings settings, ProviderAdapter adapter, ProviderGuard guard) {}

    private static final Map<String, Function<ProviderSettings, ProviderAdapter>> FACTORIES = Map.of(
            "vastai",
            VastAiAdapter::new,
            "tensordock",
            TensorDockAdapter::new,
            "rackrr",
            RackrrAdapter::new,
            "barrack",
            BarrackAdapter::new,
            "trooper",
            TrooperAdapter::new);

    private final Map<String, Provider> enabled = new LinkedHashMap<>();
    private final Map<String, ProviderSettings> all = new LinkedHashMap<>();

    public Providers(Config config, GatewayConfig.Gateway gateway, MeterRegistry metrics) {
        List<String> served =
                ProviderNames.served(String.join(",", gateway.providers().orElse(List.of())));
        for (String name : ProviderNames.ALL) {
            ProviderSettings s = new ProviderSettings(name, config);
            all.put(name, s);
            if (served.contains(name) && !s.enabled()) {
                // a process told to serve a provider it cannot reach would sit idle while its commands wait
                throw new IllegalStateException(ProviderNames.SERVED + " names " + name + ", but broker.providers."
                        + name + " is not enabled with a base-url");
            }
            if (s.enabled() && (served.isEmpty() || served.contains(name))) {
                enabled.put(name, new Provider(name, s, FACTORIES.get(name).apply(s), new ProviderGuard(s, metrics)));
                LOG.infof("provider %s enabled at %s", name, s.baseUrl());
            }
        }
    }

    public Optional<Provider> get(String name) {
        return Optional.ofNullable(enabled.get(name));
    }

    public List<Provider> enabled() {
        return List.copyOf(enabled.values());
    }

    public boolean isEnabled(String name) {
        return enabled.containsKey(name);
    }

    @PreDestroy
    void close() {
        for (Provider p : enabled.values()) {
            if (p.adapter() instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // shutting down
                }
            }
        }
    }
}
