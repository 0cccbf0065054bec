package io.gpubroker.provider.adapter;

import java.util.Locale;

/** The broker's meaning of a provider state (providers/README.md §2.1); pause states are failures. */
public enum BrokerState {
    PROVISIONING,
    RUNNING,
    FAILED,
    GONE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
