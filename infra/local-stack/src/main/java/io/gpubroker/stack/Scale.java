package io.gpubroker.stack;

/**
 * How big a stack is: replicas of each service (api-gateway, inventory, session, billing), Kafka
 * brokers, Kafka Connect workers, and whether provider-gateway runs as one process per provider
 * (docs/adr/0014) instead of one process for all.
 */
public record Scale(int replicas, int kafkaBrokers, int connectWorkers, boolean gatewayPerProvider) {
    /** Today's small stack: one of everything. */
    public static final Scale SMALL = new Scale(1, 1, 1, false);

    public Scale {
        if (replicas < 1 || replicas > 5) {
            throw new IllegalArgumentException("replicas must be 1..5");
        }
        if (kafkaBrokers < 1 || kafkaBrokers > 5) {
            throw new IllegalArgumentException("kafka brokers must be 1..5");
        }
        if (connectWorkers < 1 || connectWorkers > 3) {
            throw new IllegalArgumentException("connect workers must be 1..3");
        }
    }

    /** The cluster form: {@code replicas} of each service, three Kafka brokers, two Connect workers, a gateway per provider. */
    public static Scale cluster(int replicas) {
        return new Scale(replicas, 3, 2, true);
    }

    public boolean small() {
        return equals(SMALL);
    }

    /** How it reads in the state file and in {@code ./broker status}. */
    public String describe() {
        return replicas + " replica(s) per service, " + kafkaBrokers + " Kafka broker(s), " + connectWorkers
                + " Connect worker(s), "
                + (gatewayPerProvider ? "a provider-gateway per provider" : "one provider-gateway");
    }
}
