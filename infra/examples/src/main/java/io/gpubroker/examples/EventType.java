package io.gpubroker.examples;

import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code eventType} header values this subscriber reads, and the record each payload becomes.
 * Other types on the same topics (new ones included) are skipped, not errors.
 */
public enum EventType {
    SessionRequested(Fact.Requested.class),
    SessionProvisioning(Fact.Provisioning.class),
    SessionStarted(Fact.Started.class),
    SessionExtended(Fact.Extended.class),
    SessionStopping(Fact.Stopping.class),
    SessionStopped(Fact.Stopped.class),
    SessionFailed(Fact.Failed.class),
    CostAccrued(Fact.Cost.class);

    final Class<? extends Fact> record;

    EventType(Class<? extends Fact> record) {
        this.record = record;
    }

    static Optional<EventType> of(String header) {
        return Arrays.stream(values()).filter(t -> t.name().equals(header)).findFirst();
    }
}
