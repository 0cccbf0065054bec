package io.gpubroker.contracts;

/**
 * Every event and command carried on Kafka. The record's simple class name is its type name (the
 * {@code eventType} header); {@link EventCatalog} maps names back to classes and topics.
 */
public interface BrokerEvent {

    /** The aggregate id used as the Kafka key (session id, offer id, ...). */
    String aggregateId();
}
