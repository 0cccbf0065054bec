package io.gpubroker.billing.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Totals over a filter, by provider and GPU type, with optional period rows. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CostSummary(
        String consumerId,
        String startDate,
        String endDate,
        String month,
        String period,
        BigDecimal totalCost,
        String currency,
        long sessionCount,
        BigDecimal hoursUsed,
        Map<String, BigDecimal> byProvider,
        Map<String, BigDecimal> byGpuType,
        List<PeriodCost> periods) {

    /** One period row (a UTC day or month). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PeriodCost(String period, BigDecimal totalCost, BigDecimal hoursUsed, long sessionCount) {}
}
