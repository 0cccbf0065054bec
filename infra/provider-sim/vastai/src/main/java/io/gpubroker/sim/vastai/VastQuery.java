package io.gpubroker.sim.vastai;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Vast's filter language, shared by offer search, the v1 instance list and templates:
 * {@code {"field": {"op": value}}} with op in eq, neq, gt, gte, lt, lte, in, notin. Keys the
 * object does not have are ignored, as the real API mostly does.
 */
final class VastQuery {

    /** Returned by a field accessor for a field the object does not have. */
    static final Object UNKNOWN = new Object();

    private VastQuery() {}

    static boolean matches(JsonObject filters, Set<String> controlKeys, Function<String, Object> field) {
        if (filters == null) {
            return true;
        }
        for (String key : filters.fieldNames()) {
            if (controlKeys.contains(key)) {
                continue;
            }
            Object actual = field.apply(key);
            if (actual == UNKNOWN) {
                continue;
            }
            Object cond = filters.getValue(key);
            if (cond instanceof JsonObject ops) {
                for (String op : ops.fieldNames()) {
                    if (!test(key, actual, op, ops.getValue(op))) {
                        return false;
                    }
                }
            } else if (!test(key, actual, "eq", cond)) {
                return false;
            }
        }
        return true;
    }

    /** Rejects malformed conditions up front so the caller can answer 400 invalid_args. */
    static void validate(JsonObject filters, Set<String> controlKeys) {
        if (filters == null) {
            return;
        }
        for (String key : filters.fieldNames()) {
            if (controlKeys.contains(key) || !(filters.getValue(key) instanceof JsonObject ops)) {
                continue;
            }
            for (String op : ops.fieldNames()) {
                switch (op) {
                    case "eq", "neq", "gt", "gte", "lt", "lte" -> {}
                    case "in", "notin" -> {
                        if (!(ops.getValue(op) instanceof JsonArray)) {
                            throw new IllegalArgumentException("operator " + op + " on " + key + " needs a list");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown operator " + op + " on " + key);
                }
            }
        }
    }

    static boolean test(String key, Object actual, String op, Object expected) {
        return switch (op) {
            case "eq" -> same(key, actual, expected);
            case "neq" -> !same(key, actual, expected);
            case "gt" -> ordered(actual, expected, c -> c > 0);
            case "gte" -> ordered(actual, expected, c -> c >= 0);
            case "lt" -> ordered(actual, expected, c -> c < 0);
            case "lte" -> ordered(actual, expected, c -> c <= 0);
            case "in" -> anyOf(key, actual, expected);
            case "notin" -> !anyOf(key, actual, expected);
            default -> true;
        };
    }

    private static boolean anyOf(String key, Object actual, Object expected) {
        if (!(expected instanceof JsonArray list)) {
            return false;
        }
        for (Object e : list) {
            if (same(key, actual, e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(String key, Object actual, Object expected) {
        if (actual == null || expected == null) {
            return actual == expected;
        }
        if (actual instanceof Number a && expected instanceof Number e) {
            return Double.compare(a.doubleValue(), e.doubleValue()) == 0;
        }
        if (actual instanceof Boolean a) {
            return a.equals(expected) || a.toString().equalsIgnoreCase(expected.toString());
        }
        String a = actual.toString();
        String e = expected.toString();
        if (key.equals("gpu_name")) {
            // the CLI accepts RTX_4090 for "RTX 4090"
            return a.equalsIgnoreCase(e.replace('_', ' '));
        }
        if (key.equals("geolocation")) {
            // filters use two-letter country codes, the field reads "Texas, US"
            return a.equalsIgnoreCase(e) || a.toUpperCase().endsWith(", " + e.toUpperCase());
        }
        return a.equals(e);
    }

    /** A range test; false when either side is missing or they cannot be compared. */
    private static boolean ordered(Object actual, Object expected, java.util.function.IntPredicate ok) {
        if (actual == null || expected == null) {
            return false;
        }
        if (actual instanceof Number a) {
            try {
                double e = expected instanceof Number n ? n.doubleValue() : Double.parseDouble(expected.toString());
                return ok.test(Double.compare(a.doubleValue(), e));
            } catch (NumberFormatException ex) {
                return false;
            }
        }
        return ok.test(actual.toString().compareTo(expected.toString()));
    }

    /** Orders by {@code [[field, "asc"|"desc"], ...]} (offers) with values from {@code field}. */
    static <T> Comparator<T> order(List<String[]> keys, Function<T, Function<String, Object>> fields) {
        Comparator<T> c = (x, y) -> 0;
        for (String[] k : keys) {
            String f = k[0];
            boolean desc = k.length > 1 && "desc".equalsIgnoreCase(k[1]);
            Comparator<T> one = (x, y) ->
                    compareForSort(fields.apply(x).apply(f), fields.apply(y).apply(f));
            c = c.thenComparing(desc ? one.reversed() : one);
        }
        return c;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareForSort(Object a, Object b) {
        if (a == b) {
            return 0;
        }
        if (a == null || a == UNKNOWN) {
            return 1;
        }
        if (b == null || b == UNKNOWN) {
            return -1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }
}
