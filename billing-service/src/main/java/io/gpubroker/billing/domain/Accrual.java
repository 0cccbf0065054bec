package io.gpubroker.billing.domain;

import java.math.BigDecimal;
import java.time.Instant;

/** A session whose ledger changed: what this change added and its total since. */
public record Accrual(
        String sessionId,
        String consumerId,
        String provider,
        String gpuType,
        String currency,
        BigDecimal amount,
        BigDecimal total,
        Instant accruedUntil,
        boolean finalTotal) {}
