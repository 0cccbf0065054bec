package io.gpubroker.billing.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * A provider billing call that failed, classified for retry and the circuit breaker. The message
 * names the provider and the HTTP status, never the API key.
 */
public class ProviderCallException extends RuntimeException {

    /** How a failure is treated. */
    public enum Kind {
        /** 5xx, 408, connection errors, timeouts, an answer we cannot read: retried, counted by the breaker. */
        TRANSIENT,
        /** 429: retried after Retry-After (or the back-off), not an outage for the breaker. */
        RATE_LIMITED,
        /** Any other 4xx: the request itself is wrong (401 key, 404 unknown instance); not retried. */
        REJECTED
    }

    private final Kind kind;
    private final int status;
    private final Duration retryAfter;

    public ProviderCallException(Kind kind, String message, int status, Duration retryAfter, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status the provider answered, 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** The provider's Retry-After, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** An answer with a 2xx status that carries an error or lacks the data we asked for. */
    public static ProviderCallException badAnswer(String provider, String what) {
        return new ProviderCallException(Kind.TRANSIENT, provider + " answered without usable billing data: " + what, 200, null, null);
    }

    /** Classifies what the REST client threw for {@code provider}. */
    public static ProviderCallException classify(String provider, Throwable t) {
        if (t instanceof ProviderCallException p) {
            return p;
        }
        if (t instanceof WebApplicationException w && w.getResponse() != null) {
            Response r = w.getResponse();
            int status = r.getStatus();
            String m = provider + " answered HTTP " + status;
            if (status == 429) {
                return new ProviderCallException(Kind.RATE_LIMITED, m, status, retryAfter(r.getHeaderString("Retry-After"), Instant.now()), t);
            }
            if (status >= 500 || status == 408) {
                return new ProviderCallException(Kind.TRANSIENT, m, status, retryAfter(r.getHeaderString("Retry-After"), Instant.now()), t);
            }
            return new ProviderCallException(Kind.REJECTED, m, status, null, t);
        }
        // connection refused or reset, read timeout, TLS: no answer at all
        Throwable root = t;
        while ((root instanceof ProcessingException || root instanceof java.util.concurrent.CompletionException)
                && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new ProviderCallException(Kind.TRANSIENT, provider + " call failed: " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " " + root.getMessage()), 0, null, t);
    }

    /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }
}
