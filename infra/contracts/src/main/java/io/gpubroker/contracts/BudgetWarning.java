package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/** A consumer's spend in {@code month} (YYYY-MM) reached the warning share of its budget; sent once per consumer and month. Topic budget.events, key = consumer_id. */
public record BudgetWarning(
        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "month", required = true) String month,
        @JsonProperty(value = "budget", required = true) BigDecimal budget,
        @JsonProperty(value = "spent", required = true) BigDecimal spent,
        @JsonProperty(value = "threshold", required = true) BigDecimal threshold,
        @JsonProperty(value = "currency", required = true) String currency,
        @JsonProperty(value = "at", required = true) Instant at)
        implements BrokerEvent {

    public BudgetWarning {
        Require.text(consumerId, "consumer_id");
        Require.text(month, "month");
        Require.nonNegative(budget, "budget");
        Require.nonNegative(spent, "spent");
        Require.nonNegative(threshold, "threshold");
        Require.text(currency, "currency");
        Require.present(at, "at");
    }

    @Override
    public String aggregateId() {
        return consumerId;
    }
}
