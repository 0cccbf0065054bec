package io.gpubroker.billing.domain;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One instance ready to be charged (both ends known, not charged yet), with what billing knows of
 * its session: {@code sessionStarted}/{@code sessionEnded} are the session ledger's window when this
 * instance is the one the session ran on (null otherwise), {@code price} the instance's own rate or
 * else its session's offer rate (null: unknown).
 */
public record InstanceCharge(
        String provider,
        String instanceId,
        String sessionId,
        String consumerId,
        String kind,
        String gpuType,
        BigDecimal price,
        String currency,
        Instant createdAt,
        Instant goneAt,
        Instant sessionStarted,
        Instant sessionEnded) {

    /** A billed stretch of the instance's life: {@code [from, until)} at the instance's price, paid by {@code payer}. */
    public record Segment(String flag, Instant from, Instant until, String payer) {}
}
