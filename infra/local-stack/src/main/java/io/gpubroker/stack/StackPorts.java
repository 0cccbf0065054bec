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
            case "e2e-scale" -> {
                // the cluster-form end-to-end test's own infrastructure, beside the test profile's
                int o = Integer.parseInt(System.getenv().getOrDefault("BROKER_TEST_PORT_OFFSET", "0"));
                yield new StackPorts(25532 + o, 29192 + o, 29193 + o, 28183 + o, 28201 + o, 28280 + o);
            }
            case "e2e-containers" -> {
                // the containers form's end-to-end test: its own infrastructure beside the test profile's
                int o = Integer.parseInt(System.getenv().getOrDefault("BROKER_TEST_PORT_OFFSET", "0"));
                yield new StackPorts(25632 + o, 29292 + o, 29293 + o, 28283 + o, 28301 + o, 28380 + o);
            }
            default -> throw new IllegalArgumentException("unknown profile " + profile);
        };
    }

    /**
     * Every service process of a stack of this size. Replica {@code r} (0-based) of the service on
     * {@code serviceBase + i} listens on {@code serviceBase + i + 10r}; the gateway of provider
     * {@code j} listens on {@code serviceBase + 50 + j + 10r}.
     */
    public List<ServiceSpec> services(Scale scale) {
        List<ServiceSpec> out = new java.util.ArrayList<>();
        for (ServiceSpec s : services()) {
            if (s.name().equals("provider-gateway") && scale.gatewayPerProvider()) {
                for (int j = 0; j < Stack.PROVIDERS.size(); j++) {
                    String p = Stack.PROVIDERS.get(j);
                    out.add(new ServiceSpec(
                            s.name() + "-" + p, s.name(), s.module(), serviceBase + 50 + j, s.schema(), s.outbox(), p));
                }
                continue;
            }
            int replicas = s.name().equals("provider-gateway") ? 1 : scale.replicas();
            for (int r = 0; r < replicas; r++) {
                out.add(new ServiceSpec(
                        r == 0 ? s.name() : s.name() + "-" + (r + 1),
                        s.name(),
                        s.module(),
                        s.port() + 10 * r,
                        s.schema(),
                        s.outbox(),
                        null));
            }
        }
        return out;
    }

    /** Prometheus' port: 9090 (its usual one) for the local stack, beside the services for the others. */
    public int prometheus() {
        return serviceBase + 1010;
    }

    /** One process per service: the small stack, and the services a deployment runs. */
    public List<ServiceSpec> services() {
        return List.of(
                new ServiceSpec("api-gateway", "api-gateway", serviceBase, "gateway", false),
                new ServiceSpec("inventory-service", "inventory-service", serviceBase + 1, "inventory", true),
                new ServiceSpec("session-service", "session-service", serviceBase + 2, "session", true),
                new ServiceSpec("billing-service", "billing-service", serviceBase + 3, "billing", true),
                new ServiceSpec("provider-gateway", "provider-gateway", serviceBase + 4, "provider", true));
    }
}
