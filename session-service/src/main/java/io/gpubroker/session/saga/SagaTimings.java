package io.gpubroker.session.saga;

import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Session;
import java.time.Duration;
import java.time.Instant;

/**
 * When the saga acts next: resends, polling backoff, deadlines and the running session's next
 * check. Waits for provider-gateway have a real-time floor, because provider rate limits and the
 * gateway's queue run on real time while the broker clock may run fast.
 */
final class SagaTimings {
    private final SessionConfig cfg;
    private final double clockScale;

    SagaTimings(SessionConfig cfg, double clockScale) {
        this.cfg = cfg;
        this.clockScale = clockScale;
    }

    /** {@code broker} on the broker clock, but never less than {@code realMin} of real time. */
    Duration atLeastReal(Duration broker, Duration realMin) {
        Duration floor = Duration.ofMillis((long) (realMin.toMillis() * clockScale));
        return broker.compareTo(floor) >= 0 ? broker : floor;
    }

    Duration provisionDeadline() {
        return atLeastReal(cfg.provisionDeadline(), cfg.provisionDeadlineRealMin());
    }

    Duration provisionReplyGrace() {
        return atLeastReal(cfg.provisionReplyGrace(), cfg.provisionReplyGraceRealMin());
    }

    Duration pollMin() {
        return atLeastReal(cfg.pollMin(), cfg.pollRealMin());
    }

    Duration pollMax() {
        Duration min = pollMin();
        return cfg.pollMax().compareTo(min) >= 0 ? cfg.pollMax() : min;
    }

    /** The next resend of an unanswered create, or the moment to give up on it. */
    Instant nextPendingCheck(Session s, Instant now) {
        Instant resend = now.plus(atLeastReal(
                cfg.provisionResendAfter(), cfg.provisionDeadlineRealMin().dividedBy(3)));
        Instant giveUp = s.saga.provisionDeadlineAt.plus(provisionReplyGrace());
        if (resend.isBefore(s.saga.provisionDeadlineAt) && resend.isBefore(giveUp)) {
            return resend;
        }
        return giveUp;
    }

    Instant nextRunningCheck(Session s, Instant now) {
        Instant next = s.lease.expiresAt.isBefore(s.lease.hardMaxAt) ? s.lease.expiresAt : s.lease.hardMaxAt;
        Instant status = s.lease.nextStatusAt != null ? s.lease.nextStatusAt : now.plus(cfg.statusPollEvery());
        if (status.isBefore(next)) {
            next = status;
        }
        if (s.terms.idleThresholdMinutes > 0) {
            Instant probe = s.lease.nextProbeAt != null ? s.lease.nextProbeAt : now.plus(cfg.idleProbeEvery());
            Instant idleDue = (s.lease.idleWarnedAt != null
                    ? s.lease.idleWarnedAt.plus(cfg.idleGrace())
                    : (s.lease.lastActivityAt != null ? s.lease.lastActivityAt : s.lease.startedAt)
                            .plus(Duration.ofMinutes(s.terms.idleThresholdMinutes)));
            if (probe.isBefore(next)) {
                next = probe;
            }
            if (idleDue.isBefore(next)) {
                next = idleDue;
            }
        }
        return next.isBefore(now) ? now : next;
    }

    /** How long after the create a failover to another offer may still start. */
    Duration failoverWindow() {
        return atLeastReal(cfg.failover().window(), cfg.failover().windowRealMin());
    }

    Duration verifyTimeout(String workload) {
        Duration d = cfg.verifyTimeout().get(workload);
        return atLeastReal(
                d != null ? d : cfg.verifyTimeout().getOrDefault("default", Duration.ofMinutes(15)),
                cfg.verifyTimeoutRealMin());
    }

    /** The wait before the next look at a provisioning session (SSH attempt or instance lookup). */
    Duration pollAfter(int attempts) {
        return backoff(pollMin(), pollMax(), attempts);
    }

    /** The wait before a destroy is commanded again. */
    Duration terminateRetryAfter(int attempts) {
        return backoff(cfg.terminateRetryMin(), cfg.terminateRetryMax(), attempts);
    }

    static Duration backoff(Duration min, Duration max, int attempt) {
        long ms = min.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }
}
