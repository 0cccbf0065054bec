package io.gpubroker.gateway.proxy;

/** The domain services behind the gateway (provider-gateway is internal and never routed to). */
public enum Service {
    INVENTORY("inventory-service"),
    SESSION("session-service"),
    BILLING("billing-service");

    private final String label;

    Service(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
