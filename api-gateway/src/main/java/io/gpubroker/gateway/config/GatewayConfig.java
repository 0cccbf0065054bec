package io.gpubroker.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Optional;

/**
 * The gateway's settings (documented in application.properties and the README), one typed mapping
 * per group. The keys live under {@code broker.*}, which service-kit shares ({@code broker.db.*},
 * {@code broker.purge.*}, ...): a single {@code broker} root would claim those too, so each group
 * is its own root.
 */
public final class GatewayConfig {

    private GatewayConfig() {}

    /** {@code broker.admin-key}: the operator's key (a secret, see GatewaySecrets). */
    @ConfigMapping(prefix = "broker.admin-key")
    public interface Admin {
        @WithParentName
        Optional<String> value();

        /** The admin key, absent when unset or blank. */
        default Optional<String> key() {
            return value().filter(k -> !k.isBlank());
        }
    }

    /** {@code broker.auth.*}: who may call without a key, and how long a looked-up key is trusted. */
    @ConfigMapping(prefix = "broker.auth")
    public interface Auth {
        @WithDefault("false")
        boolean anonymous();

        @WithDefault("10s")
        Duration keyCacheTtl();
    }

    /** {@code broker.rate-limit.*}: the token bucket per API key. */
    @ConfigMapping(prefix = "broker.rate-limit")
    public interface RateLimit {
        @WithDefault("20")
        double requestsPerSecond();

        @WithDefault("40")
        int burst();

        /** The admin key is not limited. */
        @WithDefault("true")
        boolean exemptAdmin();
    }

    /**
     * {@code broker.services.*}: where the services behind the gateway listen; each a URL or a
     * comma-separated list of URLs, one per replica ({@code BROKER_SERVICES_INVENTORY_SERVICE_URL=http://a:8081,http://b:8091}).
     */
    @ConfigMapping(prefix = "broker.services")
    public interface Services {
        @WithName("inventory-service.url")
        @WithDefault("http://127.0.0.1:8081")
        String inventoryUrl();

        @WithName("session-service.url")
        @WithDefault("http://127.0.0.1:8082")
        String sessionUrl();

        @WithName("billing-service.url")
        @WithDefault("http://127.0.0.1:8083")
        String billingUrl();
    }

    /** {@code broker.upstream.*}: timeouts, connection pools and replica choice of calls to those services. */
    @ConfigMapping(prefix = "broker.upstream")
    public interface Upstream {
        /** Pooled keep-alive connections per replica (each of the two clients: streaming and buffered). */
        @WithDefault("64")
        int maxConnections();

        /**
         * How a failed replica is scored by the least-response-time balancer: as if it had answered
         * after this long, so it gets (almost) no calls until the score decays over later calls.
         */
        @WithDefault("60s")
        Duration errorPenalty();

        @WithDefault("2s")
        Duration connectTimeout();

        @WithDefault("15s")
        Duration timeout();

        @WithDefault("2s")
        Duration healthTimeout();
    }

    /**
     * {@code broker.metrics.*}: who may read {@code /metrics}, and where the seed metrics' owners
     * besides the routed services listen (provider-gateway is never routed to, so it is listed here).
     */
    @ConfigMapping(prefix = "broker.metrics")
    public interface Metrics {
        /** {@code public} (a scraper without a key), {@code admin} (the admin key) or {@code off} (404). */
        @WithDefault("public")
        MetricsAccess access();

        /** Every provider-gateway process, comma-separated (one per provider in the cluster form). */
        @WithDefault("http://127.0.0.1:8084")
        String providerGatewayUrl();

        /** How long one owner's {@code /q/metrics} may take before it is left out of the answer. */
        @WithDefault("2s")
        Duration scrapeTimeout();
    }

    /** The access levels of {@code /metrics}. */
    public enum MetricsAccess {
        PUBLIC,
        ADMIN,
        OFF
    }
}
