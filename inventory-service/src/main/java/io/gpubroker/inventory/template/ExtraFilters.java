package io.gpubroker.inventory.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.inventory.catalog.OfferFacts;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Evaluates a Vast template's {@code extra_filters} ({@code {"field": {"op": value}}}, ops eq, neq,
 * gt, gte, lt, lte, in, notin/nin) against normalised offers. Vast field names map to ours:
 * {@code cuda_max_good}→cuda_version, {@code gpu_ram}→vram in MB, {@code gpu_total_ram},
 * {@code num_gpus}, {@code dph_total}/{@code dph}, {@code reliability}/{@code reliability2},
 * {@code gpu_name}, {@code disk_space}, {@code cpu_ram} (MB), {@code cpu_cores}, {@code geolocation}.
 * A field we do not carry (e.g. {@code cpu_arch}) cannot be checked and does not exclude an offer;
 * a known field the offer lacks (no CUDA version) fails the constraint.
 */
public final class ExtraFilters {

    private static final Map<String, Function<OfferFacts, Object>> FIELDS = Map.ofEntries(
            Map.entry("cuda_max_good", f -> num(f.cudaVersion())),
            Map.entry("gpu_ram", f -> (double) f.vramGb() * 1024),
            Map.entry("gpu_total_ram", f -> (double) f.vramGb() * 1024 * f.gpuCount()),
            Map.entry("num_gpus", f -> (double) f.gpuCount()),
            Map.entry("dph_total", f -> f.pricePerHour()),
            Map.entry("dph", f -> f.pricePerHour()),
            Map.entry("reliability", f -> num(f.reliability())),
            Map.entry("reliability2", f -> num(f.reliability())),
            Map.entry("gpu_name", OfferFacts::gpuType),
            Map.entry("disk_space", f -> f.diskGb() == null ? null : (double) f.diskGb()),
            Map.entry("cpu_ram", f -> f.ramGb() == null ? null : (double) f.ramGb() * 1024),
            Map.entry("cpu_cores", f -> f.vcpus() == null ? null : (double) f.vcpus()),
            Map.entry("geolocation", f -> f.country() != null ? f.country() : f.location()));

    private ExtraFilters() {}

    /** Compiles {@code json}; unreadable JSON is an IllegalArgumentException. */
    public static Predicate<OfferFacts> compile(String json) {
        JsonNode root;
        try {
            root = EventCatalog.mapper().readTree(json == null || json.isBlank() ? "{}" : json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("extra_filters is not JSON", e);
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("extra_filters is not a JSON object");
        }
        List<Predicate<OfferFacts>> all = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Function<OfferFacts, Object> getter = FIELDS.get(field.getKey());
            if (getter == null || !field.getValue().isObject()) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> ops = field.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                all.add(condition(getter, op.getKey(), op.getValue()));
            }
        }
        return f -> {
            for (Predicate<OfferFacts> p : all) {
                if (!p.test(f)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static Predicate<OfferFacts> condition(Function<OfferFacts, Object> getter, String op, JsonNode v) {
        return f -> {
            Object actual = getter.apply(f);
            if (actual == null) {
                return false;
            }
            boolean comparable = actual instanceof Double && v.isNumber();
            return switch (op.toLowerCase(Locale.ROOT)) {
                case "eq" -> same(actual, v);
                case "neq", "ne" -> !same(actual, v);
                case "gt" -> comparable && compare((Double) actual, v) > 0;
                case "gte" -> comparable && compare((Double) actual, v) >= 0;
                case "lt" -> comparable && compare((Double) actual, v) < 0;
                case "lte" -> comparable && compare((Double) actual, v) <= 0;
                case "in" -> v.isArray() && contains(v, actual);
                case "notin", "nin" -> !v.isArray() || !contains(v, actual);
                default -> true; // an operator we do not know cannot be checked
            };
        };
    }

    private static Object num(double d) {
        return Double.isNaN(d) ? null : d;
    }

    private static boolean same(Object actual, JsonNode v) {
        if (actual instanceof Double d) {
            return v.isNumber() && Math.abs(d - v.asDouble()) < 1e-9;
        }
        return v.isTextual() && actual.toString().equalsIgnoreCase(v.asText());
    }

    private static int compare(double d, JsonNode v) {
        double x = v.asDouble();
        return Math.abs(d - x) < 1e-9 ? 0 : Double.compare(d, x);
    }

    private static boolean contains(JsonNode array, Object actual) {
        for (JsonNode e : array) {
            if (same(actual, e)) {
                return true;
            }
        }
        return false;
    }
}
