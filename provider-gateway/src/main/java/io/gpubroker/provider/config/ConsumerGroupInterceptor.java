package io.gpubroker.provider.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the command consumer's group id {@code provider-gateway-<served providers>} unless it is
 * set explicitly: one process per provider ({@code broker.gateway.providers}) then gets its own group,
 * so every process reads every command at its own pace and acts only on its own provider's (ADR 0014);
 * the replicas of one provider's gateway share that group and split its partitions.
 */
@Priority(Priorities.APPLICATION + 100)
public class ConsumerGroupInterceptor implements ConfigSourceInterceptor {
    static final String GROUP = "mp.messaging.incoming.provisioning-requests.group.id";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue v = context.proceed(name);
        if (!GROUP.equals(name)
                || v != null && v.getValue() != null && !v.getValue().isBlank()) {
            return v;
        }
        ConfigValue servedValue = context.proceed(ProviderNames.SERVED);
        List<String> served = ProviderNames.served(servedValue == null ? null : servedValue.getValue());
        List<String> enabled = new ArrayList<>();
        for (String p : ProviderNames.ALL) {
            ConfigValue e = context.proceed("broker.providers." + p + ".enabled");
            if (e != null
                    && "true".equalsIgnoreCase(String.valueOf(e.getValue()).trim())
                    && (served.isEmpty() || served.contains(p))) {
                enabled.add(p);
            }
        }
        String group = "provider-gateway-" + (enabled.isEmpty() ? "none" : String.join("-", enabled));
        return ConfigValue.builder()
                .withName(name)
                .withValue(group)
                .withConfigSourceName("provider-gateway-group")
                .withConfigSourceOrdinal(Integer.MIN_VALUE + 1)
                .build();
    }
}
