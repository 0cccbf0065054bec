package io.gpubroker.contracts;

/** Kafka topic names: {@code <aggregate>.events} for facts, {@code <capability>.requests|replies} for saga traffic. */
public final class Topics {
    public static final String SESSION_EVENTS = "session.events";
    public static final String OFFER_EVENTS = "offer.events";
    public static final String COST_EVENTS = "cost.events";
    public static final String BUDGET_EVENTS = "budget.events";
    public static final String PROVIDER_OFFERS = "provider.offers";
    public static final String PROVISIONING_REQUESTS = "provisioning.requests";
    public static final String PROVISIONING_REPLIES = "provisioning.replies";
    public static final String INSTANCE_INVENTORY = "instance.inventory";

    /** Header names the outbox router sets on every event. */
    public static final String HEADER_EVENT_ID = "id";

    public static final String HEADER_EVENT_TYPE = "eventType";
    public static final String HEADER_EVENT_VERSION = "eventVersion";

    private Topics() {}

    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }
}
