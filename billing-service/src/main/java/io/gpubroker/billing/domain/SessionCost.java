package io.gpubroker.billing.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.time.Instant;

/** Cost of one session ({@code GET /costs?session_id=}). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SessionCost(
        String sessionId,
        String consumerId,
        String provider,
        String gpuType,
        String status,
        BigDecimal pricePerHour,
        Instant startedAt,
        Instant endedAt,
        BigDecimal hoursUsed,
        BigDecimal totalCost,
        String currency) {}
