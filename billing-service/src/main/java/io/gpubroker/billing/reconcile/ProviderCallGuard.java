package io.gpubroker.billing.reconcile;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Fault tolerance for one provider's billing API (SmallRye Fault Tolerance, standalone API, as in
 * provider-gateway): a timeout per attempt; retries with exponential back-off and jitter for
 * transient failures (5xx, 408, connection errors, timeouts, unusable 200 answers) and 429s, waiting
 * at least the provider's Retry-After; and a circuit breaker per provider that counts only transient
 * failures (a 401 or a 404 is an answer, not an outage). Reads only, so every attempt is safe to repeat.
 */
final class ProviderCallGuard {
    private static final Logger LOG = Logger.getLogger(ProviderCallGuard.class);
    private static final TypeLiteral<CompletionStage<Object>> ASYNC = new TypeLiteral<>() {
    };

    /** Retry, breaker and timeout settings ({@code billing.reconcile.*}). */
    record Settings(Duration timeout, int retries, Duration retryDelay, Duration retryMaxDelay, Duration retryAfterMax,
                    int breakerVolume, double breakerRatio, Duration breakerDelay) {
    }

    private final String provider;
    private final Settings settings;
    private final Guard guard;
    private final AtomicReference<CircuitBreakerState> state = new AtomicReference<>(CircuitBreakerState.CLOSED);

    ProviderCallGuard(String provider, Settings s) {
        this.provider = provider;
        this.settings = s;
        long perAttempt = s.timeout().toMillis();
        this.guard = Guard.create().withDescription("billing " + provider)
                .withRetry().maxRetries(s.retries()).delay(s.retryDelay().toMillis(), ChronoUnit.MILLIS)
                    // jitter is added by the back-off below, so it never shortens a Retry-After
                    .jitter(0, ChronoUnit.MILLIS)
                    .maxDuration((perAttempt + s.retryAfterMax().toMillis()) * (s.retries() + 1), ChronoUnit.MILLIS)
                    .whenException(ProviderCallGuard::retryable)
                    .beforeRetry(t -> LOG.debugf("%s billing call failed, retrying: %s", provider, t.getMessage()))
                    .withCustomBackoff().strategy(() -> new Backoff(s)).done()
                    .done()
                .withCircuitBreaker().requestVolumeThreshold(s.breakerVolume()).failureRatio(s.breakerRatio())
                    .delay(s.breakerDelay().toMillis(), ChronoUnit.MILLIS).successThreshold(1)
                    .when(ProviderCallGuard::outage).onStateChange(this::stateChanged).done()
                .withTimeout().duration(perAttempt, ChronoUnit.MILLIS).done()
                .build();
    }

    static boolean retryable(Throwable t) {
        return t instanceof ProviderCallException p ? p.kind() != ProviderCallException.Kind.REJECTED : t instanceof TimeoutException;
    }

    static boolean outage(Throwable t) {
        return t instanceof ProviderCallException p ? p.kind() == ProviderCallException.Kind.TRANSIENT : t instanceof TimeoutException;
    }

    private void stateChanged(CircuitBreakerState s) {
        state.set(s);
        LOG.infof("circuit breaker of %s billing calls is now %s", provider, s);
    }

    CircuitBreakerState circuitState() {
        return state.get();
    }

    /**
     * Runs {@code request} under the guard; {@code read} turns the answer into the result and throws
     * {@link ProviderCallException#badAnswer} for an unusable one (retried like a 5xx). Fails with a
     * {@link ProviderCallException} only; the result is delivered on the caller's Vert.x context.
     */
    <B, T> Uni<T> call(Supplier<Uni<B>> request, Function<B, T> read) {
        Context caller = Vertx.currentContext();
        Uni<T> guarded = Uni.createFrom().completionStage(() -> {
            try {
                return guard.call(() -> request.get()
                        .onFailure().transform(t -> ProviderCallException.classify(provider, t))
                        .map(body -> (Object) read.apply(body))
                        .subscribeAsCompletionStage(), ASYNC);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }).map(o -> {
            @SuppressWarnings("unchecked")
            T t = (T) o;
            return t;
        }).onFailure().transform(this::describe);
        return caller == null ? guarded : guarded.emitOn(task -> caller.runOnContext(v -> task.run()));
    }

    private ProviderCallException describe(Throwable t) {
        Throwable e = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (e instanceof ProviderCallException p) {
            return p;
        }
        if (e instanceof CircuitBreakerOpenException) {
            return new ProviderCallException(ProviderCallException.Kind.TRANSIENT,
                    provider + " circuit breaker is open (recent billing calls failed)", 0, null, e);
        }
        if (e instanceof TimeoutException) {
            return new ProviderCallException(ProviderCallException.Kind.TRANSIENT,
                    provider + " billing call timed out after " + settings.timeout().toMillis() + " ms", 0, null, e);
        }
        return ProviderCallException.classify(provider, e);
    }

    /** Exponential back-off with jitter; after a 429 or 503 with Retry-After, at least that (capped). */
    static final class Backoff implements CustomBackoffStrategy {
        private final Settings s;
        private long next;

        Backoff(Settings s) {
            this.s = s;
        }

        @Override
        public void init(long initialDelayInMillis) {
            next = initialDelayInMillis;
        }

        @Override
        public long nextDelayInMillis(Throwable cause) {
            long delay = next;
            next = Math.min(s.retryMaxDelay().toMillis(), Math.max(1, next * 2));
            long jitter = delay <= 1 ? 0 : ThreadLocalRandom.current().nextLong(delay / 4 + 1);
            long wait = delay + jitter;
            if (cause instanceof ProviderCallException p && p.retryAfter() != null) {
                wait = Math.max(wait, Math.min(p.retryAfter().toMillis(), s.retryAfterMax().toMillis()));
            }
            return wait;
        }
    }
}
