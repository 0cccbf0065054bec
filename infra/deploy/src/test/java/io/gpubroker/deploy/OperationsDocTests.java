package io.gpubroker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md names every setting a service reads: each configuration key the code reads
 * (typed mappings, injected properties, direct lookups, dynamic per-provider/per-service keys), each
 * {@code ${VAR}} of an application.properties, each {@code getenv}, and each variable the deployment
 * files set must be matched by a row of its table — as itself, by a {@code <NAME>} placeholder, or by a
 * {@code PREFIX_*} group.
 */
class OperationsDocTests {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final List<String> SERVICES = List.of(
            "api-gateway",
            "inventory-service",
            "session-service",
            "billing-service",
            "provider-gateway",
            "infra/service-kit");

    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern LOOKUP = Pattern.compile("get(?:Optional)?Value\\(\\s*\"([^\"]+)\"");
    /** A key built at run time: {@code "broker.providers." + name + ...}. */
    private static final Pattern DYNAMIC = Pattern.compile("\"(broker\\.[a-z0-9.-]+\\.)\"\\s*\\+");

    private static final Pattern GETENV =
            Pattern.compile("getenv\\(\\)\\.get(?:OrDefault)?\\(\\s*\"([A-Z0-9_]+)\"|getenv\\(\\s*\"([A-Z0-9_]+)\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern MANIFEST_ENV = Pattern.compile("(?m)^\\s*- name: ([A-Z][A-Z0-9_]+)\\s*$");
    private static final Pattern ENV_FILE = Pattern.compile("(?m)^([A-Z][A-Z0-9_]+)=");
    private static final Pattern TABLE_TOKEN = Pattern.compile("`([A-Z][A-Z0-9_<>*]*)`");

    @Test
    void theOperationsTableNamesEverySettingTheServicesRead() throws IOException {
        Set<String> required = required();
        List<String> rows = table();
        List<String> missing = required.stream().filter(r -> !covered(r, rows)).toList();
        assertThat(required).as("settings found in the code").hasSizeGreaterThan(30);
        assertThat(missing)
                .as("settings read by the services but not in docs/operations.md's table")
                .isEmpty();
    }

    @Test
    void theDocStaysShort() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("docs/operations.md"))).hasSizeLessThanOrEqualTo(150);
    }

    @Test
    void theMatcherRejectsWhatNoRowNames() throws IOException {
        List<String> rows = table();
        assertThat(covered("BROKER_NO_SUCH_SETTING", rows)).isFalse();
        assertThat(covered("BROKER_PROVIDERS_VASTAI_BASE_URL", rows)).isTrue();
        assertThat(covered("SESSION_ORPHAN_GRACE", rows)).isTrue();
    }

    /** Environment names (or name prefixes ending in {@code _}) of every setting the services read. */
    static Set<String> required() throws IOException {
        Set<String> out = new TreeSet<>();
        for (String module : SERVICES) {
            for (Path java : files(ROOT.resolve(module).resolve("src/main/java"), ".java")) {
                String src = Files.readString(java);
                collect(MAPPING, src, out, true);
                collect(PROPERTY, src, out, false);
                collect(LOOKUP, src, out, false);
                collect(DYNAMIC, src, out, true);
                Matcher m = GETENV.matcher(src);
                while (m.find()) {
                    out.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
            for (Path props : files(ROOT.resolve(module).resolve("src/main/resources"), ".properties")) {
                Matcher m = PLACEHOLDER.matcher(Files.readString(props));
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        Matcher m = MANIFEST_ENV.matcher(
                Files.readString(ROOT.resolve(ManifestGenerator.DIR).resolve("services.yaml")));
        while (m.find()) {
            out.add(m.group(1));
        }
        for (String env : List.of("config.env", "secrets.env.example")) {
            Matcher e = ENV_FILE.matcher(
                    Files.readString(ROOT.resolve("infra/deploy/k8s/base").resolve(env)));
            while (e.find()) {
                out.add(e.group(1));
            }
        }
        return out;
    }

    /** A property key as its environment variable; a prefix (a group of keys) ends in {@code _}. */
    static String env(String key, boolean prefix) {
        String name = key.toUpperCase().replaceAll("[^A-Z0-9]", "_");
        return prefix && !name.endsWith("_") ? name + "_" : name;
    }

    private static void collect(Pattern p, String src, Set<String> out, boolean prefix) {
        Matcher m = p.matcher(src);
        while (m.find()) {
            out.add(env(m.group(1), prefix));
        }
    }

    /** The backticked names of the settings table's first column. */
    static List<String> table() throws IOException {
        List<String> tokens = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/operations.md"))) {
            if (line.startsWith("| `")) {
                String first = line.substring(1, line.indexOf('|', 1));
                Matcher m = TABLE_TOKEN.matcher(first);
                while (m.find()) {
                    tokens.add(m.group(1));
                }
            }
        }
        return tokens;
    }

    /**
     * Whether a row names {@code required}: a name matched in full ({@code <X>} stands for any name,
     * {@code *} for any rest), or for a prefix, a row naming keys of that group or the prefix itself.
     */
    static boolean covered(String required, List<String> rows) {
        for (String row : rows) {
            String regex = Pattern.quote(row)
                    .replaceAll("<[A-Z]+>", "\\\\E[A-Z0-9_]+\\\\Q")
                    .replace("*", "\\E[A-Z0-9_]*\\Q");
            if (required.matches(regex)) {
                return true;
            }
            if (required.endsWith("_")) {
                String head = row.split("[<*]", 2)[0];
                // a group whose one key is the prefix itself (@WithParentName), e.g. broker.admin-key
                boolean itself = row.equals(required.substring(0, required.length() - 1));
                if (itself || head.startsWith(required) || (required + "X").matches(regex)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
