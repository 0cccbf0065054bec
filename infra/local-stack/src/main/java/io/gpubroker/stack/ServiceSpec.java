package io.gpubroker.stack;

/**
 * One broker service as the stack runs it: module folder, HTTP port, its database schema and
 * whether it publishes through an outbox (then the stack registers its Debezium connector).
 */
public record ServiceSpec(String name, String module, int port, String schema, boolean outbox) {

    public String url() {
        return "http://127.0.0.1:" + port;
    }
}
