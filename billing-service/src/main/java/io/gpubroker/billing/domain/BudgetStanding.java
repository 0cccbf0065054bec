package io.gpubroker.billing.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.YearMonth;

/** A consumer's budget and what it spent in a month (the ledger's daily rollup, in the budget's currency). */
public record BudgetStanding(String consumerId, YearMonth month, BigDecimal limit, String currency, BigDecimal spent) {

    public BigDecimal remaining() {
        return limit.subtract(spent);
    }

    public BigDecimal usedRatio() {
        return limit.signum() == 0 ? null : spent.divide(limit, 6, RoundingMode.HALF_UP);
    }
}
