package io.gpubroker.session.service;

import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.ConsumerPolicy;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Whether a consumer's policy lets one more session (or a session's move to another offer) in, given
 * what the consumer already has in flight. Pure; the caller reads the usage under the consumer's lock.
 */
public final class PolicyCheck {
    private PolicyCheck() {}

    /** A consumer's pending, provisioning and running sessions: how many, their GPUs, their price per hour. */
    public record Usage(long sessions, long gpus, BigDecimal hourlyUsd) {}

    /**
     * The refusal of {@code o} for {@code hours} under {@code p} with {@code inFlight} already held
     * ({@code newSession}: it adds a session; false: a session moving, its own share left out of
     * {@code inFlight}), or null when allowed. Each refusal names the limit.
     */
    public static ApiException refusal(ConsumerPolicy p, Usage inFlight, Offer o, int hours, boolean newSession) {
        if (p == null) {
            return null;
        }
        String who = "consumer " + p.consumerId() + "'s policy";
        if (!p.providerAllowed(o.provider())) {
            return forbidden(
                    who + " does not allow provider " + o.provider() + " (allowed_providers: "
                            + String.join(", ", p.allowedProviders()) + ")",
                    "allowed_providers");
        }
        if (!p.gpuTypeAllowed(o.gpuType())) {
            return forbidden(
                    who + " does not allow GPU type " + o.gpuType() + " (allowed_gpu_types: "
                            + String.join(", ", p.allowedGpuTypes()) + ")",
                    "allowed_gpu_types");
        }
        if (p.maxReservationHours() != null && hours > p.maxReservationHours()) {
            return forbidden(
                    who + " allows at most " + p.maxReservationHours() + " reserved hours per session"
                            + " (max_reservation_hours); asked for " + hours,
                    "max_reservation_hours");
        }
        if (newSession && p.maxSessions() != null && inFlight.sessions() + 1 > p.maxSessions()) {
            return limit(
                    who + " allows at most " + p.maxSessions() + " concurrent sessions (max_sessions); "
                            + inFlight.sessions() + " are active",
                    "max_sessions",
                    p.maxSessions());
        }
        if (p.maxGpus() != null && inFlight.gpus() + o.gpuCount() > p.maxGpus()) {
            return limit(
                    who + " allows at most " + p.maxGpus() + " GPUs in flight (max_gpus); " + inFlight.gpus()
                            + " are in use and this offer has " + o.gpuCount(),
                    "max_gpus",
                    p.maxGpus());
        }
        if (p.maxHourlyUsd() != null
                && inFlight.hourlyUsd().add(o.pricePerHour()).compareTo(p.maxHourlyUsd()) > 0) {
            return limit(
                    who + " allows at most "
                            + p.maxHourlyUsd().stripTrailingZeros().toPlainString()
                            + " USD/h in flight (max_hourly_usd); "
                            + inFlight.hourlyUsd().stripTrailingZeros().toPlainString()
                            + " USD/h are in flight and this offer costs "
                            + o.pricePerHour().stripTrailingZeros().toPlainString() + " USD/h",
                    "max_hourly_usd",
                    p.maxHourlyUsd());
        }
        return null;
    }

    /** The refusal of {@code extra} more hours for a session already reserved {@code reserved} hours. */
    public static ApiException extendRefusal(ConsumerPolicy p, int reserved, int extra) {
        if (p == null || p.maxReservationHours() == null || reserved + extra <= p.maxReservationHours()) {
            return null;
        }
        return forbidden(
                "consumer " + p.consumerId() + "'s policy allows at most " + p.maxReservationHours()
                        + " reserved hours per session (max_reservation_hours); the session has " + reserved
                        + " and asks for " + extra + " more",
                "max_reservation_hours");
    }

    private static ApiException forbidden(String message, String limit) {
        return new ApiException(403, message, Map.of("error_type", "policy_forbidden", "limit", limit));
    }

    private static ApiException limit(String message, String limit, Object value) {
        return new ApiException(409, message, Map.of("error_type", "policy_limit", "limit", limit, "value", value));
    }
}
