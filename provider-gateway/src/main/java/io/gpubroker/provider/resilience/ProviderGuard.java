package io.gpubroker.provider.resilience;

import io.gpubroker.provider.adapter.ErrorClass;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.adapter.ProviderSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Everything between the gateway and one provider (SmallRye Fault Tolerance, standalone API):
 * a timeout per call; retries with exponential back-off and jitter for transient and rate-limited
 * failures of idempotent calls only (a create that may have been applied is never repeated); a
 * circuit breaker that counts only transient failures (a 400 is the caller's fault, not an outage);
 * and the provider's {@link Throttle}. Every call is measured by provider, operation and outcome.
 */
public final class ProviderGuard {
    private static final Logger LOG = Logger.getLogger(ProviderGuard.class);

    private final String provider;
    private static final ThreadLocal<Boolean> ONCE = ThreadLocal.withInitial(() -> false);

    private final Guard guard;
    private final Throttle throttle;
    private final MeterRegistry metrics;
    private final AtomicReference<CircuitBreakerState> state = new AtomicReference<>(CircuitBreakerState.CLOSED);

    public ProviderGuard(ProviderSettings s, MeterRegistry metrics) {
        this.provider = s.name();
        this.metrics = metrics;
        this.throttle = new Throttle(
                s.doubleOption("rate-limit-per-second", 5),
                s.duration("rate-limit-backoff", Duration.ofSeconds(1)),
                s.duration("rate-limit-max-backoff", Duration.ofSeconds(60)));
        Duration timeout = s.duration("call-timeout", Duration.ofSeconds(30));
        int retries = s.intOption("retries", 3);
        Duration delay = s.duration("retry-delay", Duration.ofMillis(200));
        Duration maxDelay = s.duration("retry-max-delay", Duration.ofSeconds(5));
        Duration jitter = s.duration("retry-jitter", Duration.ofMillis(100));
        int volume = s.intOption("breaker-volume", 8);
        double ratio = s.doubleOption("breaker-failure-ratio", 0.5);
        Duration breakerDelay = s.duration("breaker-delay", Duration.ofSeconds(10));
        int successes = s.intOption("breaker-successes", 2);
        // one guard (so one breaker) per provider; whether a failure may be retried depends on the call,
        // which the retry predicate reads from the calling thread (synchronous guards retry on it)
        this.guard = Guard.create()
                .withDescription(provider)
                .withRetry()
                .maxRetries(retries)
                .delay(delay.toMillis(), ChronoUnit.MILLIS)
                .jitter(Math.max(1, jitter.toMillis()), ChronoUnit.MILLIS)
                .maxDuration(Math.max(timeout.toMillis() * (retries + 2), 120_000), ChronoUnit.MILLIS)
                .whenException(t -> ONCE.get() ? safeToRepeat(t) : retryable(t))
                .withExponentialBackoff()
                .factor(2)
                .maxDelay(maxDelay.toMillis(), ChronoUnit.MILLIS)
                .done()
                .done()
                .withCircuitBreaker()
                .requestVolumeThreshold(volume)
                .failureRatio(ratio)
                .delay(breakerDelay.toMillis(), ChronoUnit.MILLIS)
                .successThreshold(successes)
                .when(ProviderGuard::outage)
                .onStateChange(this::stateChanged)
                .done()
                .withTimeout()
                .duration(timeout.toMillis(), ChronoUnit.MILLIS)
                .done()
                .build();
        io.micrometer.core.instrument.Gauge.builder("gpu.provider.circuit.state", state, r -> switch (r.get()) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN -> 2;
                })
                .description("0 closed, 1 half-open, 2 open")
                .tag("provider", provider)
                .register(metrics);
    }

    static boolean retryable(Throwable t) {
        return t instanceof ProviderException p
                && (p.errorClass() == ErrorClass.TRANSIENT || p.errorClass() == ErrorClass.RATE_LIMITED);
    }

    /** A create is repeated only when the provider certainly did not act on it (429, refused connection, 5xx answer). */
    static boolean safeToRepeat(Throwable t) {
        return t instanceof ProviderException p && !p.maybeApplied() && retryable(p);
    }

    static boolean outage(Throwable t) {
        return t instanceof ProviderException p
                ? p.errorClass() == ErrorClass.TRANSIENT
                : !(t instanceof CircuitBreakerOpenException);
    }

    private void stateChanged(CircuitBreakerState s) {
        state.set(s);
        LOG.infof("circuit breaker of %s is now %s", provider, s);
    }

    public CircuitBreakerState circuitState() {
        return state.get();
    }

    /** Runs an idempotent provider call (reads, destroy, key attach). */
    public <T> T call(String operation, Callable<T> work) {
        return run(operation, work, false);
    }

    /** Runs a call that must not be repeated if it may have taken effect (create). */
    public <T> T callOnce(String operation, Callable<T> work) {
        return run(operation, work, true);
    }

    @SuppressWarnings("unchecked")
    private <T> T run(String operation, Callable<T> work, boolean once) {
        Timer.Sample sample = Timer.start(metrics);
        ONCE.set(once);
        String outcome = "success";
        try {
            Callable<T> attempt = () -> {
                Duration waited = throttle.acquire();
                if (!waited.isZero()) {
                    metrics.timer("gpu.provider.rate.limit.waits", "provider", provider)
                            .record(waited);
                }
                try {
                    T r = work.call();
                    throttle.succeeded();
                    return r;
                } catch (ProviderException e) {
                    metrics.counter("gpu.provider.api.errors", "provider", provider, "operation", operation)
                            .increment();
                    if (e.errorClass() == ErrorClass.RATE_LIMITED) {
                        Duration pause = throttle.rateLimited(e.retryAfter());
                        LOG.debugf("%s %s rate limited: pausing %d ms", provider, operation, pause.toMillis());
                    }
                    throw e;
                }
            };
            return (T) guard.call((Callable<Object>) attempt, Object.class);
        } catch (ProviderException e) {
            outcome = e.errorClass().wire();
            throw e;
        } catch (CircuitBreakerOpenException e) {
            outcome = "circuit_open";
            throw new ProviderException(ErrorClass.TRANSIENT, provider + " circuit breaker is open", 0, null, false, e);
        } catch (TimeoutException e) {
            outcome = "timeout";
            metrics.counter("gpu.provider.api.errors", "provider", provider, "operation", operation)
                    .increment();
            throw new ProviderException(
                    ErrorClass.TRANSIENT, provider + " " + operation + " timed out", 0, null, true, e);
        } catch (RuntimeException e) {
            outcome = "error";
            metrics.counter("gpu.provider.api.errors", "provider", provider, "operation", operation)
                    .increment();
            throw new ProviderException(
                    ErrorClass.TRANSIENT, provider + " " + operation + " failed: " + e, 0, null, true, e);
        } catch (Exception e) {
            outcome = "error";
            throw new ProviderException(
                    ErrorClass.TRANSIENT, provider + " " + operation + " failed: " + e, 0, null, true, e);
        } finally {
            ONCE.remove();
            sample.stop(Timer.builder("gpu.provider.call.duration")
                    .tags("provider", provider, "operation", operation, "outcome", outcome)
                    .publishPercentileHistogram()
                    .register(metrics));
            Counter.builder("gpu.provider.calls")
                    .tags("provider", provider, "operation", operation, "outcome", outcome)
                    .register(metrics)
                    .increment();
        }
    }

    static long millis(Duration d) {
        return TimeUnit.NANOSECONDS.toMillis(d.toNanos());
    }
}
