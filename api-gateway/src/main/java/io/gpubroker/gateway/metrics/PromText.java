package io.gpubroker.gateway.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Prometheus text exposition format (0.0.4), as far as the seed metrics need it: reading the
 * families named in a set out of a scrape, and writing families back. Label values keep their
 * escaping as read, so a sample's identity is its name plus its label text.
 */
public final class PromText {
    private PromText() {}

    /** One sample line: {@code name{labels} value}; {@code labels} is the text inside the braces, or empty. */
    public record Sample(String name, String labels, double value) {
        public String key() {
            return name + "{" + labels + "}";
        }
    }

    /** A metric family: its HELP text, TYPE and samples (in the order read). */
    public record Family(String name, String help, String type, List<Sample> samples) {}

    /** The families of {@code text} whose names are in {@code wanted} (other families are skipped). */
    public static Map<String, Family> read(String text, Set<String> wanted) {
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, String> type = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ", 2);
                if (wanted.contains(p[0])) {
                    (line.startsWith("# HELP ") ? help : type).put(p[0], p.length > 1 ? p[1] : "");
                }
                continue;
            }
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Sample s = sample(line);
            String family = familyOf(s.name(), wanted);
            if (family != null) {
                samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
            }
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (String name : wanted) {
            if (type.containsKey(name) || samples.containsKey(name)) {
                out.put(
                        name,
                        new Family(
                                name,
                                help.getOrDefault(name, ""),
                                type.getOrDefault(name, "untyped"),
                                samples.getOrDefault(name, List.of())));
            }
        }
        return out;
    }

    /** The family a sample belongs to: its own name, or a histogram/summary family's _bucket/_count/_sum. */
    private static String familyOf(String sample, Set<String> wanted) {
        if (wanted.contains(sample)) {
            return sample;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                if (wanted.contains(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space;
        String name;
        String labels;
        if (brace >= 0 && brace < line.indexOf(' ')) {
            int close = closingBrace(line, brace);
            name = line.substring(0, brace);
            labels = line.substring(brace + 1, close);
            space = close + 1;
        } else {
            space = line.indexOf(' ');
            name = line.substring(0, space);
            labels = "";
        }
        String[] rest = line.substring(space).trim().split(" ");
        return new Sample(
                name, labels.endsWith(",") ? labels.substring(0, labels.length() - 1) : labels, value(rest[0]));
    }

    /** The brace closing the label set (a quoted label value may itself contain braces or escaped quotes). */
    private static int closingBrace(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        throw new IllegalArgumentException("unterminated label set: " + line);
    }

    private static double value(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    /** Writes families in the text format. */
    public static void write(StringBuilder out, Iterable<Family> families) {
        for (Family f : families) {
            out.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
            out.append("# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
            for (Sample s : f.samples()) {
                out.append(s.name());
                if (!s.labels().isEmpty()) {
                    out.append('{').append(s.labels()).append('}');
                }
                out.append(' ').append(format(s.value())).append('\n');
            }
        }
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
