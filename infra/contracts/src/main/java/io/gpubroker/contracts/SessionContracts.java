package io.gpubroker.contracts;

import java.util.Map;

/** Event types on {@code session.events} (published by session-service). */
final class SessionContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of(
            "SessionRequested", new EventCatalog.Entry(SessionRequested.class, Topics.SESSION_EVENTS, 1));

    private SessionContracts() {
    }
}
