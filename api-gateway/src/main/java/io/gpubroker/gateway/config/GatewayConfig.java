package io.gpubroker.gateway.config;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The gateway's settings (documented in application.properties and the README). */
@ApplicationScoped
public class GatewayConfig {

    @ConfigProperty(name = "broker.admin-key")
    Optional<String> adminKey;

    @ConfigProperty(name = "broker.auth.anonymous", defaultValue = "false")
    boolean anonymous;

    @ConfigProperty(name = "broker.auth.key-cache-ttl", defaultValue = "10s")
    Duration keyCacheTtl;

    @ConfigProperty(name = "broker.rate-limit.requests-per-second", defaultValue = "20")
    double ratePerSecond;

    @ConfigProperty(name = "broker.rate-limit.burst", defaultValue = "40")
    int rateBurst;

    @ConfigProperty(name = "broker.rate-limit.exempt-admin", defaultValue = "true")
    boolean rateExemptAdmin;

    @ConfigProperty(name = "broker.consumer.max-active-sessions", defaultValue = "5")
    int maxActiveSessions;

    @ConfigProperty(name = "broker.services.inventory-service.url", defaultValue = "http://127.0.0.1:8081")
    String inventoryUrl;

    @ConfigProperty(name = "broker.services.session-service.url", defaultValue = "http://127.0.0.1:8082")
    String sessionUrl;

    @ConfigProperty(name = "broker.services.billing-service.url", defaultValue = "http://127.0.0.1:8083")
    String billingUrl;

    @ConfigProperty(name = "broker.upstream.connect-timeout", defaultValue = "2s")
    Duration connectTimeout;

    @ConfigProperty(name = "broker.upstream.timeout", defaultValue = "15s")
    Duration upstreamTimeout;

    @ConfigProperty(name = "broker.upstream.health-timeout", defaultValue = "2s")
    Duration healthTimeout;

    public Optional<String> adminKey() {
        return adminKey.filter(k -> !k.isBlank());
    }

    public boolean anonymous() {
        return anonymous;
    }

    public Duration keyCacheTtl() {
        return keyCacheTtl;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public int rateBurst() {
        return rateBurst;
    }

    public boolean rateExemptAdmin() {
        return rateExemptAdmin;
    }

    public int maxActiveSessions() {
        return maxActiveSessions;
    }

    public String inventoryUrl() {
        return inventoryUrl;
    }

    public String sessionUrl() {
        return sessionUrl;
    }

    public String billingUrl() {
        return billingUrl;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration upstreamTimeout() {
        return upstreamTimeout;
    }

    public Duration healthTimeout() {
        return healthTimeout;
    }
}
