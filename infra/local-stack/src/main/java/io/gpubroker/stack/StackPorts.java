package io.gpubroker.stack;

import java.util.List;

/**
 * Port plan of one stack profile. {@code local} is what {@code ./broker up} runs; {@code test} is
 * the infrastructure the test command starts (other ports, so both can run side by side).
 */
public record StackPorts(int postgres, int kafka, int kafkaController, int connect, int simBase, int serviceBase) {

    /**
     * Ports of {@code profile}. {@code BROKER_TEST_PORT_OFFSET} shifts the test profile, so two
     * test runs (two clones on one machine) do not collide.
     */
    public static StackPorts forProfile(String profile) {
        return switch (profile) {
            case "local" -> new StackPorts(15432, 19092, 19093, 18083, 18101, 8080);
            case "test", "e2e" -> {
                int o = Integer.parseInt(System.getenv().getOrDefault("BROKER_TEST_PORT_OFFSET", "0"));
                yield new StackPorts(25432 + o, 29092 + o, 29093 + o, 28083 + o, 28101 + o, 28180 + o);
            }
            default -> throw new IllegalArgumentException("unknown profile " + profile);
        };
    }

    public List<ServiceSpec> services() {
        return List.of(
                new ServiceSpec("api-gateway", "api-gateway", serviceBase, "gateway", false),
                new ServiceSpec("inventory-service", "inventory-service", serviceBase + 1, "inventory", true),
                new ServiceSpec("session-service", "session-service", serviceBase + 2, "session", true),
                new ServiceSpec("billing-service", "billing-service", serviceBase + 3, "billing", true),
                new ServiceSpec("provider-gateway", "provider-gateway", serviceBase + 4, "provider", true));
    }
}
