package io.gpubroker.billing.domain;

import java.time.LocalDate;

/** The filter of a cost summary: optional consumer, UTC days [startDate, endDate], optional period granularity. */
public record CostFilter(String consumerId, LocalDate startDate, LocalDate endDate, String period, String month) {}
