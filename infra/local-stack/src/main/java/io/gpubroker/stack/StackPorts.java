package io.gpubroker.stack;

import java.util.List;

/**
 * Port plan of one stack profile. {@code local} is what {@code ./broker up} runs; {@code test} is
 * the infrastructure the test command starts (other ports, so both can run side by side).
 */
public record StackPorts(int postgres, int kafka, int kafkaController, int connect, int simBase, int serviceBase) {

    public static StackPorts forProfile(String profile) {
        return switch (profile) {
            case "local" -> new StackPorts(15432, 19092, 19093, 18083, 18101, 8080);
            case "test" -> new StackPorts(25432, 29092, 29093, 28083, 28101, 28080);
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
