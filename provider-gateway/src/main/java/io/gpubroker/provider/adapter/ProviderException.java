package io.gpubroker.provider.adapter;

import java.time.Duration;

/**
 * A classified provider failure. {@code maybeApplied} is true when the request may have reached the
 * provider and taken effect (a timeout after sending): a create must then be resolved by tag, never
 * simply repeated.
 */
public class ProviderException extends RuntimeException {
    private final ErrorClass errorClass;
    private final Duration retryAfter;
    private final boolean maybeApplied;
    private final int httpStatus;

    public ProviderException(ErrorClass errorClass, String message) {
        this(errorClass, message, 0, null, false, null);
    }

    public ProviderException(
            ErrorClass errorClass,
            String message,
            int httpStatus,
            Duration retryAfter,
            boolean maybeApplied,
            Throwable cause) {
        super(message, cause, false, false);
        this.errorClass = errorClass;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
        this.maybeApplied = maybeApplied;
    }

    public ErrorClass errorClass() {
        return errorClass;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean maybeApplied() {
        return maybeApplied;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public static ProviderException of(ErrorClass c, String message) {
        return new ProviderException(c, message);
    }
}
