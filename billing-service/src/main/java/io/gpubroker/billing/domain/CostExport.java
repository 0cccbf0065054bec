package io.gpubroker.billing.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * A cost export: one line per session charge and per instance charge (flagged) of a consumer and
 * period, and the exact total (the summary's, to the last digit shown). Lines show 6 decimals, as
 * every report does; the total is the sum of the unrounded steps, so it equals {@code GET /costs}.
 */
public record CostExport(List<Line> lines, BigDecimal total, BigDecimal seconds, String currency) {

    /** {@code type} is {@code session} or {@code instance}; {@code flag} only on instance lines. */
    public record Line(
            String type,
            String consumerId,
            String sessionId,
            String instanceId,
            String provider,
            String gpuType,
            String flag,
            Instant firstMinute,
            Instant lastMinute,
            BigDecimal seconds,
            BigDecimal amount,
            String currency) {}

    public static final String HEADER =
            "line_type,consumer_id,session_id,instance_id,provider,gpu_type,flag,first_minute,last_minute,hours,amount,currency";

    /** RFC 4180 CSV, the header first and the total last. */
    public String csv() {
        StringBuilder out = new StringBuilder(HEADER).append("\r\n");
        for (Line l : lines) {
            row(
                    out,
                    l.type(),
                    l.consumerId(),
                    l.sessionId(),
                    l.instanceId(),
                    l.provider(),
                    l.gpuType(),
                    l.flag(),
                    l.firstMinute() == null ? "" : l.firstMinute().toString(),
                    l.lastMinute() == null ? "" : l.lastMinute().toString(),
                    hours(l.seconds()),
                    Money.money(l.amount()).toPlainString(),
                    l.currency());
        }
        row(
                out,
                "total",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                hours(seconds),
                Money.money(total).toPlainString(),
                currency);
        return out.toString();
    }

    private static String hours(BigDecimal seconds) {
        return seconds.divide(BigDecimal.valueOf(3600), 4, RoundingMode.HALF_UP).toPlainString();
    }

    private static void row(StringBuilder out, String... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(field(fields[i]));
        }
        out.append("\r\n");
    }

    /** Quotes what needs it, and defuses a leading formula character so a spreadsheet shows text, never runs it. */
    static String field(String v) {
        if (v == null || v.isEmpty()) {
            return "";
        }
        String s = "=+-@\t\r".indexOf(v.charAt(0)) >= 0 && !v.matches("-?[0-9.]+") ? "'" + v : v;
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
