package io.gpubroker.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape of billing's packages, read from its sources (imports and qualified names): no package
 * cycles; rest → service → repository with no way back; SQL only in {@code repository}. A plain
 * scan, no Quarkus: it fails on the edit that adds the back edge.
 */
class PackageStructureTests {
    static final Path SOURCES = Path.of("src/main/java/io/gpubroker/billing");
    static final Pattern REFERENCE = Pattern.compile("io\\.gpubroker\\.billing\\.([a-z_][a-z0-9_]*)\\.[A-Z*]");

    /** Package (first segment under io.gpubroker.billing) → the billing packages its sources name. */
    static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = SOURCES.relativize(f);
                String pkg = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        out.add(m.group(1));
                    }
                }
            }
        }
        return deps;
    }

    /** Every cycle reachable in the graph, each as a path that returns to its first package. */
    static List<List<String>> cycles(Map<String, Set<String>> deps) {
        List<List<String>> found = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : deps.keySet()) {
            walk(start, deps, new ArrayDeque<>(), done, found);
        }
        return found;
    }

    private static void walk(
            String pkg, Map<String, Set<String>> deps, Deque<String> path, Set<String> done, List<List<String>> found) {
        if (path.contains(pkg)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (String p : (Iterable<String>) path::descendingIterator) {
                in |= p.equals(pkg);
                if (in) {
                    cycle.add(p);
                }
            }
            cycle.add(pkg);
            found.add(cycle);
            return;
        }
        if (done.contains(pkg)) {
            return;
        }
        path.push(pkg);
        for (String next : deps.getOrDefault(pkg, Set.of())) {
            walk(next, deps, path, done, found);
        }
        path.pop();
        done.add(pkg);
    }

    @Test
    void theScanSeesTheLayersAndWouldSeeACycle() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertThat(deps).containsKeys("rest", "service", "repository", "domain", "messaging");
        assertThat(deps.get("rest")).contains("service");
        assertThat(deps.get("service")).contains("repository");
        assertThat(cycles(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")))))
                .containsExactly(List.of("a", "b", "c", "a"));
    }

    @Test
    void billingPackagesHaveNoCycles() throws IOException {
        assertThat(cycles(dependencies())).as("package cycles").isEmpty();
    }

    @Test
    void restServiceRepositoryPointOnlyDownwards() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertThat(deps.get("repository")).as("repository depends on").isSubsetOf("domain");
        assertThat(deps.get("domain")).as("domain depends on").isEmpty();
        assertThat(deps.get("service")).as("service depends on").doesNotContain("rest", "messaging");
        assertThat(deps.get("client")).as("client depends on").isEmpty();
        assertThat(deps.get("metrics")).as("metrics depends on").isEmpty();
        for (String entry : List.of("rest", "messaging")) {
            assertThat(deps.get(entry))
                    .as(entry + " reaches the database only through a service")
                    .doesNotContain("repository");
        }
    }

    @Test
    void sqlLivesOnlyInTheRepositoryPackage() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (!SOURCES.relativize(f).startsWith("repository")
                        && Pattern.compile("createNativeQuery|createQuery|createSelectionQuery")
                                .matcher(Files.readString(f))
                                .find()) {
                    offenders.add(SOURCES.relativize(f).toString());
                }
            }
        }
        assertThat(offenders).as("classes outside repository that run SQL").isEmpty();
    }
}
