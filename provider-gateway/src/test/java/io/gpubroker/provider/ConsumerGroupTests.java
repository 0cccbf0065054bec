package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.provider.config.ConsumerGroupInterceptor;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command consumer's group follows the providers a process serves: one group per provider's process (ADR 0014). */
class ConsumerGroupTests {
    static final String GROUP = "mp.messaging.incoming.provisioning-requests.group.id";

    private static String group(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of(
                "broker.providers.vastai.enabled",
                "true",
                "broker.providers.rackrr.enabled",
                "true",
                "broker.providers.barrack.enabled",
                "false"));
        m.putAll(extra);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withInterceptors(new ConsumerGroupInterceptor())
                .withSources(new PropertiesConfigSource(m, "test", 100))
                .build();
        return config.getValue(GROUP, String.class);
    }

    @Test
    void theAllProvidersProcessKeepsItsGroupOfEveryEnabledProvider() {
        assertThat(group(Map.of())).isEqualTo("provider-gateway-vastai-rackrr");
    }

    @Test
    void aProcessServingOneProviderHasThatProvidersGroup() {
        assertThat(group(Map.of("broker.gateway.providers", "rackrr"))).isEqualTo("provider-gateway-rackrr");
        assertThat(group(Map.of("broker.gateway.providers", " VastAI , rackrr")))
                .isEqualTo("provider-gateway-vastai-rackrr");
    }

    @Test
    void anExplicitGroupWinsAndAnUnknownProviderIsRefused() {
        assertThat(group(Map.of(GROUP, "mine", "broker.gateway.providers", "rackrr")))
                .isEqualTo("mine");
        assertThatThrownBy(() -> group(Map.of("broker.gateway.providers", "rackr")))
                .hasStackTraceContaining("broker.gateway.providers names rackr,");
    }
}
