package io.gpubroker.provider.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.BilledCosts;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading money out of provider billing answers: amounts as numbers or numeric strings, summed per
 * instance; an instance with any unreadable amount is skipped (unknown), never counted short.
 */
public final class BilledAmounts {
    private BilledAmounts() {}

    /** One billed row: the instance it bills and the amount as the provider sent it. */
    public record Row(String instanceId, JsonNode amount) {}

    /** A money amount (number or numeric string); null when it is not one. */
    public static BigDecimal amount(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Sums the rows of the asked instances; rows of other instances are not ours to report. */
    public static BilledCosts sum(String provider, List<Row> rows, Collection<String> asked) {
        Map<String, BigDecimal> costs = new HashMap<>();
        Map<String, String> skipped = new HashMap<>();
        for (Row row : rows) {
            if (!asked.contains(row.instanceId())) {
                continue;
            }
            BigDecimal a = amount(row.amount());
            if (a == null) {
                skipped.put(row.instanceId(), "unreadable amount " + row.amount());
            } else {
                costs.merge(row.instanceId(), a, BigDecimal::add);
            }
        }
        skipped.keySet().forEach(costs::remove);
        return new BilledCosts(provider, costs, skipped);
    }

    /**
     * A 2xx answer that carries an error or lacks the billing data: transient (retried, counted by
     * the breaker), as the provider's billing side is what failed.
     */
    public static ProviderException badAnswer(String provider, JsonNode body, String fallback) {
        return new ProviderException(
                ErrorClass.TRANSIENT,
                provider + " answered without usable billing data: " + errorOf(body, fallback),
                200,
                null,
                false,
                null);
    }

    private static String errorOf(JsonNode body, String fallback) {
        if (body == null) {
            return fallback;
        }
        for (String f : List.of("msg", "message", "error")) {
            if (body.hasNonNull(f)) {
                String m = body.get(f).asText();
                return m.length() > 200 ? m.substring(0, 200) : m;
            }
        }
        return fallback;
    }

    /** Status-only classification for billing reads (a 408 is transient like a 5xx). */
    public static ErrorClass refine(ProviderHttp.Response r) {
        return r.status() == 408 ? ErrorClass.TRANSIENT : null;
    }
}
