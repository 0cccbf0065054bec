package io.gpubroker.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** How numbers, money, times and durations look on screen. */
public final class Fmt {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Fmt() {}

    /** {@code 0.45 → "0.45"}, {@code 0.075 → "0.075"}, {@code 12 → "12.00"}: two to four decimals, as precise as the value. */
    public static String money(BigDecimal v) {
        if (v == null) {
            return "-";
        }
        int scale = Math.max(2, Math.min(4, v.stripTrailingZeros().scale()));
        return v.setScale(scale, RoundingMode.HALF_UP).toPlainString();
    }

    public static String money(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "-" : money(n.decimalValue());
    }

    /** Price per GPU-hour: the offer's price over its GPU count. */
    public static BigDecimal perGpu(JsonNode offer) {
        BigDecimal price = offer.path("price_per_hour").decimalValue();
        int gpus = Math.max(1, offer.path("gpu_count").asInt(1));
        return price.divide(BigDecimal.valueOf(gpus), 4, RoundingMode.HALF_UP);
    }

    /** A 0..1 score with two decimals, or "-" when the API gave none. */
    public static String score(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "-" : String.format("%.2f", n.asDouble());
    }

    /** {@code 42s}, {@code 5m}, {@code 3h}, {@code 2d}: the largest whole unit. */
    public static String age(long seconds) {
        if (seconds < 0) {
            return "-";
        }
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }

    /** Elapsed time for progress: {@code 0:07}, {@code 2:05}, {@code 1:02:03}. */
    public static String elapsed(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600
                ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }

    /** A duration in words: {@code 1h 30m}, {@code 45m}, {@code 20s}; negative as "-". */
    public static String span(Duration d) {
        long s = d.toSeconds();
        if (s < 0) {
            return "-";
        }
        if (s < 60) {
            return s + "s";
        }
        long h = s / 3600;
        long m = s / 60 % 60;
        return h > 0 ? h + "h " + m + "m" : m + "m";
    }

    /** An API timestamp in the local zone, or the text as is when it is not an instant. */
    public static String time(JsonNode n, ZoneId zone) {
        if (n == null || n.isMissingNode() || n.isNull() || n.asText().isEmpty()) {
            return "-";
        }
        Instant i = instant(n);
        return i == null ? n.asText() : LOCAL.format(i.atZone(zone));
    }

    public static Instant instant(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The text of a field, or "-" when absent, null or empty. */
    public static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? "-" : n.asText();
    }
}
