package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The ledger of a session grew (or was corrected when it ended): {@code amount} is what this
 * accrual added, {@code session_total} the session's cost so far up to {@code accrued_until};
 * {@code final} marks the exact total once billing ended. Topic cost.events, key = session_id.
 */
public record CostAccrued(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "gpu_type") String gpuType,
        @JsonProperty(value = "amount", required = true) BigDecimal amount,

        @JsonProperty(value = "session_total", required = true)
        BigDecimal sessionTotal,

        @JsonProperty(value = "currency", required = true) String currency,

        @JsonProperty(value = "accrued_until", required = true)
        Instant accruedUntil,

        @JsonProperty(value = "final") boolean finalTotal,
        @JsonProperty(value = "at", required = true) Instant at)
        implements BrokerEvent {

    public CostAccrued {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.text(provider, "provider");
        Require.present(amount, "amount");
        Require.nonNegative(sessionTotal, "session_total");
        Require.text(currency, "currency");
        Require.present(accruedUntil, "accrued_until");
        Require.present(at, "at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
