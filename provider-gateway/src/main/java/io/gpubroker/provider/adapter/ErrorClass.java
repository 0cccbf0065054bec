package io.gpubroker.provider.adapter;

import java.util.Locale;

/** What a provider failure means for the saga; the wire name is the lower-case enum name. */
public enum ErrorClass {
    STALE_INVENTORY(false),
    NO_CAPACITY(true),
    PRICE_CHANGED(false),
    AUTH(false),
    INSUFFICIENT_FUNDS(false),
    RATE_LIMITED(true),
    NOT_FOUND(false),
    TRANSIENT(true),
    INVALID(false),
    /** The command waited past its deadline; the provider was not called. */
    EXPIRED(false);

    private final boolean retryable;

    ErrorClass(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether the same request may succeed later without changing it. */
    public boolean retryable() {
        return retryable;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
