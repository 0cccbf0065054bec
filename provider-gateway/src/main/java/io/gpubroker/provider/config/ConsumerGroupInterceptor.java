package io.gpubroker.provider.config;

import java.util.ArrayList;
import java.util.List;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * Makes the command consumer's group id {@code provider-gateway-<enabled providers>} unless it is
 * set explicitly: one process per provider in production then gets its own group, so every process
 * sees every command and acts only on its own provider's.
 */
@Priority(Priorities.APPLICATION + 100)
public class ConsumerGroupInterceptor implements ConfigSourceInterceptor {
    static final String GROUP = "mp.messaging.incoming.provisioning-requests.group.id";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue v = context.proceed(name);
        if (!GROUP.equals(name) || v != null && v.getValue() != null && !v.getValue().isBlank()) {
            return v;
        }
        List<String> enabled = new ArrayList<>();
        for (String p : ProviderNames.ALL) {
            ConfigValue e = context.proceed("broker.providers." + p + ".enabled");
            if (e != null && "true".equalsIgnoreCase(String.valueOf(e.getValue()).trim())) {
                enabled.add(p);
            }
        }
        String group = "provider-gateway-" + (enabled.isEmpty() ? "none" : String.join("-", enabled));
        return ConfigValue.builder().withName(name).withValue(group).withConfigSourceName("provider-gateway-group")
                .withConfigSourceOrdinal(Integer.MIN_VALUE + 1).build();
    }
}
