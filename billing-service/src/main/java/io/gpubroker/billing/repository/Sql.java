package io.gpubroker.billing.repository;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Conversions for native query results, whose column types depend on the driver path. */
public final class Sql {
    private Sql() {}

    public static BigDecimal money(Object v) {
        if (v == null) {
            return BigDecimal.ZERO;
        }
        if (v instanceof BigDecimal b) {
            return b;
        }
        // the reactive PG client may hand numeric back as its own Numeric type: go through text, never double
        return new BigDecimal(v.toString());
    }

    public static BigDecimal decimalOrNull(Object v) {
        return v == null ? null : money(v);
    }

    public static Instant instant(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Instant i) {
            return i;
        }
        if (v instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (v instanceof LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        if (v instanceof java.util.Date d) {
            return d.toInstant();
        }
        return OffsetDateTime.parse(v.toString()).toInstant();
    }

    public static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    public static long count(Object v) {
        return v == null ? 0 : ((Number) v).longValue();
    }

    public static String text(Object v) {
        return v == null ? null : v.toString();
    }
}
