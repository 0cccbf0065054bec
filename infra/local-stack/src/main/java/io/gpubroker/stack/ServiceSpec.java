package io.gpubroker.stack;

/**
 * One broker service process as the stack runs it: its instance name (the service's own name for
 * the first replica, {@code <service>-<n>} for the others, {@code provider-gateway-<provider>} for a
 * gateway serving one provider), the service it is a replica of, module folder, HTTP port, its
 * database schema, whether it publishes through an outbox (then the stack registers its Debezium
 * connector) and, for a per-provider gateway, the provider it serves.
 */
public record ServiceSpec(
        String name, String service, String module, int port, String schema, boolean outbox, String provider) {

    public ServiceSpec(String name, String module, int port, String schema, boolean outbox) {
        this(name, name, module, port, schema, outbox, null);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }
}
