package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.gateway.config.GatewayConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed settings keep the property names and defaults the gateway always had. */
class GatewayConfigTests {

    static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                // Quarkus's own reading of "10s"-style durations, as in the running gateway
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(GatewayConfig.Admin.class)
                .withMapping(GatewayConfig.Auth.class)
                .withMapping(GatewayConfig.RateLimit.class)
                .withMapping(GatewayConfig.Services.class)
                .withMapping(GatewayConfig.Upstream.class)
                .build();
    }

    @Test
    void unsetPropertiesTakeTheDefaults() {
        SmallRyeConfig c = config(Map.of());

        assertThat(c.getConfigMapping(GatewayConfig.Admin.class).key()).isEmpty();
        GatewayConfig.Auth auth = c.getConfigMapping(GatewayConfig.Auth.class);
        assertThat(auth.anonymous()).isFalse();
        assertThat(auth.keyCacheTtl()).isEqualTo(Duration.ofSeconds(10));
        GatewayConfig.RateLimit rate = c.getConfigMapping(GatewayConfig.RateLimit.class);
        assertThat(rate.requestsPerSecond()).isEqualTo(20.0);
        assertThat(rate.burst()).isEqualTo(40);
        assertThat(rate.exemptAdmin()).isTrue();
        GatewayConfig.Services services = c.getConfigMapping(GatewayConfig.Services.class);
        assertThat(services.inventoryUrl()).isEqualTo("http://127.0.0.1:8081");
        assertThat(services.sessionUrl()).isEqualTo("http://127.0.0.1:8082");
        assertThat(services.billingUrl()).isEqualTo("http://127.0.0.1:8083");
        GatewayConfig.Upstream upstream = c.getConfigMapping(GatewayConfig.Upstream.class);
        assertThat(upstream.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(upstream.timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(upstream.healthTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(upstream.maxConnections()).isEqualTo(64);
        assertThat(upstream.errorPenalty()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void everySettingIsReadFromItsDocumentedProperty() {
        SmallRyeConfig c = config(Map.ofEntries(
                Map.entry("broker.admin-key", "admin-0123456789"),
                Map.entry("broker.auth.anonymous", "true"),
                Map.entry("broker.auth.key-cache-ttl", "3s"),
                Map.entry("broker.rate-limit.requests-per-second", "2.5"),
                Map.entry("broker.rate-limit.burst", "7"),
                Map.entry("broker.rate-limit.exempt-admin", "false"),
                Map.entry("broker.services.inventory-service.url", "http://inventory:1"),
                Map.entry("broker.services.session-service.url", "http://session:2"),
                Map.entry("broker.services.billing-service.url", "http://billing:3"),
                Map.entry("broker.upstream.connect-timeout", "100ms"),
                Map.entry("broker.upstream.timeout", "4s"),
                Map.entry("broker.upstream.health-timeout", "300ms"),
                Map.entry("broker.upstream.max-connections", "8"),
                Map.entry("broker.upstream.error-penalty", "5s")));

        assertThat(c.getConfigMapping(GatewayConfig.Admin.class).key()).contains("admin-0123456789");
        GatewayConfig.Auth auth = c.getConfigMapping(GatewayConfig.Auth.class);
        assertThat(auth.anonymous()).isTrue();
        assertThat(auth.keyCacheTtl()).isEqualTo(Duration.ofSeconds(3));
        GatewayConfig.RateLimit rate = c.getConfigMapping(GatewayConfig.RateLimit.class);
        assertThat(rate.requestsPerSecond()).isEqualTo(2.5);
        assertThat(rate.burst()).isEqualTo(7);
        assertThat(rate.exemptAdmin()).isFalse();
        GatewayConfig.Services services = c.getConfigMapping(GatewayConfig.Services.class);
        assertThat(services.inventoryUrl()).isEqualTo("http://inventory:1");
        assertThat(services.sessionUrl()).isEqualTo("http://session:2");
        assertThat(services.billingUrl()).isEqualTo("http://billing:3");
        GatewayConfig.Upstream upstream = c.getConfigMapping(GatewayConfig.Upstream.class);
        assertThat(upstream.connectTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(upstream.timeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(upstream.healthTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(upstream.maxConnections()).isEqualTo(8);
        assertThat(upstream.errorPenalty()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aBlankAdminKeyCountsAsNone() {
        assertThat(config(Map.of("broker.admin-key", "  "))
                        .getConfigMapping(GatewayConfig.Admin.class)
                        .key())
                .isEmpty();
    }
}
