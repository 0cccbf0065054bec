package io.gpubroker.deploy;

import static io.gpubroker.deploy.Yaml.map;
import static io.gpubroker.deploy.Yaml.resource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Grafana dashboards of {@code infra/grafana/dashboards} as one ConfigMap, labelled
 * {@code grafana_dashboard: "1"} for Grafana's dashboard sidecar (or mounted at the path of
 * {@code infra/grafana/provisioning/dashboards/dashboards.yaml}).
 */
final class DashboardsConfigMap {
    private final Path dashboards;

    DashboardsConfigMap(Path root) {
        this.dashboards = root.resolve("infra/grafana/dashboards");
    }

    List<Map<String, Object>> all() {
        Map<String, Object> data = new TreeMap<>();
        try (Stream<Path> files = Files.list(dashboards)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                data.put(f.getFileName().toString(), Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(resource(
                "v1",
                "ConfigMap",
                map(
                        "name",
                        "gpu-broker-grafana-dashboards",
                        "labels",
                        map("grafana_dashboard", "1", "app.kubernetes.io/part-of", "gpu-broker")),
                "data",
                data));
    }
}
