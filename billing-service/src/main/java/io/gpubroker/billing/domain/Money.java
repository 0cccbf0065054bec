package io.gpubroker.billing.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money and hours as shown: exact decimals, 6 places (hours 4) at most, no float on the way. */
public final class Money {
    private Money() {}

    public static BigDecimal money(BigDecimal v) {
        return v == null ? null : v.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    public static BigDecimal hours(BigDecimal seconds) {
        return seconds.divide(BigDecimal.valueOf(3600), 4, RoundingMode.HALF_UP).stripTrailingZeros();
    }
}
