package io.gpubroker.contracts;

import java.util.Map;

/** Event types on {@code session.events} (published by session-service). */
final class SessionContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of(
            "SessionRequested", entry(SessionRequested.class),
            "SessionProvisioning", entry(SessionProvisioning.class),
            "SessionStarted", entry(SessionStarted.class),
            "SessionExtended", entry(SessionExtended.class),
            "SessionStopping", entry(SessionStopping.class),
            "SessionStopped", entry(SessionStopped.class),
            "SessionFailed", entry(SessionFailed.class),
            "InstanceCreated", entry(InstanceCreated.class),
            "InstanceGone", entry(InstanceGone.class));

    private static EventCatalog.Entry entry(Class<? extends BrokerEvent> type) {
        return new EventCatalog.Entry(type, Topics.SESSION_EVENTS, 1);
    }

    private SessionContracts() {}
}
