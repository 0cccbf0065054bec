package io.gpubroker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gpubroker.stack.KafkaBroker;
import io.gpubroker.stack.ServiceSpec;
import io.gpubroker.stack.Stack;
import io.gpubroker.stack.StackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ManifestGeneratorTests {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Path GENERATED = ROOT.resolve(ManifestGenerator.DIR);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void checkedInManifestsMatchTheLaunchersDefinitions() {
        assertThat(new ManifestGenerator(ROOT).drift())
                .as("files in %s out of date: run ./broker manifests and commit the result", ManifestGenerator.DIR)
                .isEmpty();
    }

    @Test
    void everyTopicTheLauncherCreatesHasAKafkaTopicWithItsPartitions() throws IOException {
        Map<String, Integer> topics = docs("kafka-topics.yaml").stream()
                .collect(Collectors.toMap(
                        d -> d.at("/spec/topicName").asText(),
                        d -> d.at("/spec/partitions").asInt()));
        assertThat(topics).isEqualTo(KafkaBroker.TOPICS);
        assertThat(docs("kafka-topics.yaml"))
                .allSatisfy(d -> assertThat(d.at("/spec/replicas").asInt()).isEqualTo(3));
    }

    @Test
    void theConnectorCarriesEveryTemplateSettingAndCapturesEveryOutboxSchema() throws IOException {
        JsonNode template = JSON.readTree(
                ROOT.resolve("infra/connect/outbox-connector.json").toFile());
        JsonNode connector = docs("kafka-connect.yaml").stream()
                .filter(d -> d.path("kind").asText().equals("KafkaConnector"))
                .findFirst()
                .orElseThrow();
        JsonNode config = connector.at("/spec/config");
        assertThat(connector.at("/spec/class").asText())
                .isEqualTo(template.path("connector.class").asText());
        template.fieldNames().forEachRemaining(k -> {
            if (!k.equals("connector.class") && !k.equals("tasks.max")) {
                assertThat(config.has(k)).as("connector setting %s", k).isTrue();
            }
        });
        assertThat(config.path("transforms.outbox.type").asText())
                .isEqualTo("io.debezium.transforms.outbox.EventRouter");
        List<String> outboxTables = StackPorts.forProfile("local").services().stream()
                .filter(ServiceSpec::outbox)
                .map(s -> s.schema() + ".outbox")
                .toList();
        assertThat(config.path("table.include.list").asText().split(","))
                .containsExactlyInAnyOrderElementsOf(outboxTables);
        assertThat(config.path("database.password").asText()).isEqualTo("${env:PG_PASSWORD}");
    }

    @Test
    void everyDeploymentHasProbesResourcesAndTakesSecretsOnlyFromTheSecret() throws IOException {
        List<JsonNode> deployments = docs("services.yaml").stream()
                .filter(d -> d.path("kind").asText().equals("Deployment"))
                .toList();
        assertThat(deployments)
                .hasSize(StackPorts.forProfile("local").services().size() - 1 + Stack.PROVIDERS.size());
        for (JsonNode d : deployments) {
            JsonNode c = d.at("/spec/template/spec/containers/0");
            String name = d.at("/metadata/name").asText();
            assertThat(d.at("/spec/replicas").asInt()).as(name).isPositive();
            assertThat(c.at("/readinessProbe/httpGet/path").asText()).as(name).isEqualTo("/q/health/ready");
            assertThat(c.at("/livenessProbe/httpGet/path").asText()).as(name).isEqualTo("/q/health/live");
            assertThat(c.at("/resources/requests/memory").asText()).as(name).isNotEmpty();
            assertThat(c.at("/resources/limits/memory").asText()).as(name).isNotEmpty();
            assertThat(c.at("/envFrom/0/configMapRef/name").asText()).isEqualTo(ServiceDeployments.CONFIG);
            for (JsonNode e : c.path("env")) {
                String var = e.path("name").asText();
                if (var.endsWith("_TOKEN")
                        || var.endsWith("_KEY")
                        || var.endsWith("_SECRET")
                        || var.endsWith("_PASSWORD")) {
                    assertThat(e.at("/valueFrom/secretKeyRef/name").asText())
                            .as(name + " " + var)
                            .isEqualTo(ServiceDeployments.SECRETS);
                    assertThat(e.has("value")).as(name + " " + var).isFalse();
                }
            }
        }
    }

    @Test
    void eachProviderGatewayDeploymentEnablesOnlyItsOwnProvider() throws IOException {
        for (String provider : Stack.PROVIDERS) {
            JsonNode d = docs("services.yaml").stream()
                    .filter(x -> x.at("/metadata/name").asText().equals("provider-gateway-" + provider))
                    .findFirst()
                    .orElseThrow();
            List<String> enabled = new ArrayList<>();
            d.at("/spec/template/spec/containers/0/env").forEach(e -> {
                if (e.path("name").asText().endsWith("_ENABLED")
                        && e.path("value").asText().equals("true")) {
                    enabled.add(e.path("name").asText());
                }
            });
            assertThat(enabled).containsExactly("BROKER_PROVIDERS_" + provider.toUpperCase() + "_ENABLED");
        }
    }

    @Test
    void theDashboardsConfigMapHoldsEveryDashboardVerbatim() throws IOException {
        JsonNode data = docs("grafana-dashboards.yaml").get(0).path("data");
        try (var files = Files.list(ROOT.resolve("infra/grafana/dashboards"))) {
            List<Path> dashboards =
                    files.filter(p -> p.toString().endsWith(".json")).toList();
            assertThat(dashboards).isNotEmpty();
            assertThat(data.size()).isEqualTo(dashboards.size());
            for (Path f : dashboards) {
                assertThat(data.path(f.getFileName().toString()).asText()).isEqualTo(Files.readString(f));
            }
        }
    }

    @Test
    void theKustomizationUsesEveryGeneratedFileAndNoFileHoldsASecretValue() throws IOException {
        JsonNode k = YAML.readTree(
                ROOT.resolve("infra/deploy/k8s/base/kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        k.path("resources").forEach(r -> resources.add(r.asText()));
        for (String f : new ManifestGenerator(ROOT).files().keySet()) {
            assertThat(resources).contains("generated/" + f);
        }
        try (var examples = Files.list(ROOT.resolve("infra/deploy/k8s/base"))) {
            for (Path f :
                    examples.filter(p -> p.toString().endsWith(".env.example")).toList()) {
                assertThat(Files.readAllLines(f))
                        .filteredOn(l -> !l.isBlank() && !l.startsWith("#"))
                        .as("%s lists the keys the operator fills, with no value", f)
                        .isNotEmpty()
                        .allSatisfy(l -> assertThat(l).endsWith("="));
            }
        }
    }

    private static List<JsonNode> docs(String file) throws IOException {
        try (var it = YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(GENERATED.resolve(file).toFile())) {
            return it.readAll().stream()
                    .filter(d -> !d.isNull() && !d.isMissingNode())
                    .toList();
        }
    }

    @Test
    void onlyProviderGatewaysHoldProviderKeys() throws IOException {
        for (JsonNode d : docs("services.yaml")) {
            if (!d.path("kind").asText().equals("Deployment")) {
                continue;
            }
            String name = d.at("/metadata/name").asText();
            List<String> providerKeys = new ArrayList<>();
            d.at("/spec/template/spec/containers/0/env").forEach(e -> {
                if (e.path("name").asText().matches("BROKER_PROVIDERS_[A-Z]+_API_KEY")) {
                    providerKeys.add(e.path("name").asText());
                }
            });
            if (name.startsWith("provider-gateway-")) {
                assertThat(providerKeys)
                        .as(name)
                        .containsExactly("BROKER_PROVIDERS_"
                                + name.substring("provider-gateway-".length()).toUpperCase() + "_API_KEY");
            } else {
                assertThat(providerKeys).as(name + " holds no provider key").isEmpty();
            }
        }
    }
}
