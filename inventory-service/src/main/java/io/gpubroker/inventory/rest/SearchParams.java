package io.gpubroker.inventory.rest;

import io.gpubroker.kit.rest.ApiException;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated filters of {@code GET /inventory}. Every bad value is a 400 naming its parameter:
 * non-numbers, negatives, out-of-range scores, unknown providers, {@code limit <= 0}, repeated or
 * unknown parameters (a typo must not silently widen a search).
 */
public record SearchParams(
        String provider,
        String gpuType,
        String location,
        Integer minVram,
        Double maxPrice,
        Integer minGpuCount,
        Double minReliability,
        Double minConfidence,
        Double minCuda,
        String templateHashId,
        int limit,
        int offset) {

    static final Set<String> KNOWN = Set.of(
            "provider",
            "gpu_type",
            "location",
            "min_vram",
            "max_price",
            "min_gpu_count",
            "gpu_count",
            "min_reliability",
            "min_availability_confidence",
            "min_cuda",
            "template_hash_id",
            "limit",
            "offset");
    private static final int MAX_TEXT = 100;
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d{1,3})?");

    public static SearchParams parse(
            MultivaluedMap<String, String> q, List<String> providers, int defaultLimit, int maxLimit) {
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            if (!KNOWN.contains(e.getKey())) {
                throw ApiException.badRequest("unknown query parameter '" + e.getKey() + "'; known: "
                        + String.join(", ", KNOWN.stream().sorted().toList()));
            }
            if (e.getValue().size() > 1) {
                throw ApiException.badRequest("query parameter '" + e.getKey() + "' given more than once");
            }
        }
        String provider = text(q, "provider");
        if (provider != null && !providers.contains(provider)) {
            throw ApiException.badRequest(
                    "invalid 'provider': unknown provider '" + provider + "'; known: " + String.join(", ", providers));
        }
        Integer minGpu = integer(q, "min_gpu_count", 0, 1024);
        Integer gpuCount = integer(q, "gpu_count", 0, 1024);
        if (minGpu != null && gpuCount != null && !minGpu.equals(gpuCount)) {
            throw ApiException.badRequest(
                    "'gpu_count' is an alias of 'min_gpu_count': give one of them (or the same value)");
        }
        Integer limit = limit(q, maxLimit);
        Integer offset = integer(q, "offset", 0, Integer.MAX_VALUE);
        return new SearchParams(
                provider,
                text(q, "gpu_type"),
                text(q, "location"),
                integer(q, "min_vram", 0, 100_000),
                decimal(q, "max_price", 0, 1_000_000),
                minGpu != null ? minGpu : gpuCount,
                decimal(q, "min_reliability", 0, 1),
                decimal(q, "min_availability_confidence", 0, 1),
                decimal(q, "min_cuda", 0, 100),
                text(q, "template_hash_id"),
                limit == null ? defaultLimit : limit,
                offset == null ? 0 : offset);
    }

    /**
     * The public API only asks for a positive limit: one above {@code maxLimit}, however many digits,
     * is served as a page of {@code maxLimit} (the answer's "limit" says so and "total" tells the rest).
     */
    private static Integer limit(MultivaluedMap<String, String> q, int maxLimit) {
        String v = text(q, "limit");
        if (v == null) {
            return null;
        }
        if (!v.matches("\\+?\\d{1,1000}")) {
            throw ApiException.badRequest("invalid 'limit': '" + v + "' is not an integer");
        }
        java.math.BigInteger n = new java.math.BigInteger(v.startsWith("+") ? v.substring(1) : v);
        if (n.signum() <= 0) {
            throw ApiException.badRequest("invalid 'limit': must be a positive integer");
        }
        return n.min(java.math.BigInteger.valueOf(maxLimit)).intValueExact();
    }

    private static String text(MultivaluedMap<String, String> q, String name) {
        String v = q.getFirst(name);
        if (v == null) {
            return null;
        }
        if (v.isBlank()) {
            throw ApiException.badRequest("invalid '" + name + "': must not be empty");
        }
        if (v.length() > MAX_TEXT) {
            throw ApiException.badRequest("invalid '" + name + "': longer than " + MAX_TEXT + " characters");
        }
        return v.trim();
    }

    private static Integer integer(MultivaluedMap<String, String> q, String name, int min, int max) {
        String v = text(q, name);
        if (v == null) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid '" + name + "': '" + v + "' is not an integer");
        }
        if (n < min || n > max) {
            throw ApiException.badRequest("invalid '" + name + "': must be between " + min + " and " + max);
        }
        return (int) n;
    }

    private static Double decimal(MultivaluedMap<String, String> q, String name, double min, double max) {
        String v = text(q, name);
        if (v == null) {
            return null;
        }
        // plain decimals only: Double.parseDouble would also take "Infinity", "0x1p3" or "1.5f"
        if (!DECIMAL.matcher(v).matches()) {
            throw ApiException.badRequest("invalid '" + name + "': '" + v + "' is not a number");
        }
        double d = Double.parseDouble(v);
        if (Double.isNaN(d) || d < min || d > max) {
            throw ApiException.badRequest("invalid '" + name + "': must be between " + fmt(min) + " and " + fmt(max));
        }
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
