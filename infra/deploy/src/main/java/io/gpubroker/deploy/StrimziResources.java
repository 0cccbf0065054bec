package io.gpubroker.deploy;

import static io.gpubroker.deploy.Yaml.map;
import static io.gpubroker.deploy.Yaml.resource;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.stack.ConnectWorker;
import io.gpubroker.stack.KafkaBroker;
import io.gpubroker.stack.ServiceSpec;
import io.gpubroker.stack.Stack;
import io.gpubroker.stack.StackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Strimzi resources of a deployment, from the definitions the launcher runs: a KRaft Kafka cluster of
 * three dual-role nodes, a {@code KafkaTopic} per entry of {@link KafkaBroker#TOPICS}, and Kafka
 * Connect with Debezium running the outbox connector of {@link ConnectWorker#outboxConfig}.
 */
final class StrimziResources {
    static final String API = "kafka.strimzi.io/v1beta2";
    static final String CLUSTER = "gpu-broker";
    static final String BOOTSTRAP = CLUSTER + "-kafka-bootstrap:9092";
    static final int REPLICAS = 3;
    /** Secret (written by the operator, see k8s/README.md) with the replication role Debezium connects as. */
    static final String CONNECT_DB_SECRET = "gpu-broker-connect-db";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Worker settings Strimzi owns (listeners, bootstrap) or a deployment sets differently (replication). */
    private static final List<String> WORKER_KEYS_NOT_COPIED = List.of("bootstrap.servers", "listeners", "rest.");

    private final Path root;
    private final Versions versions;

    StrimziResources(Path root, Versions versions) {
        this.root = root;
        this.versions = versions;
    }

    List<Map<String, Object>> cluster() {
        Map<String, Object> pool = resource(
                API,
                "KafkaNodePool",
                map("name", "dual-role", "labels", map("strimzi.io/cluster", CLUSTER)),
                "spec",
                map(
                        "replicas",
                        REPLICAS,
                        "roles",
                        List.of("controller", "broker"),
                        "storage",
                        map(
                                "type",
                                "jbod",
                                "volumes",
                                List.of(map(
                                        "id",
                                        0,
                                        "type",
                                        "persistent-claim",
                                        "size",
                                        "20Gi",
                                        "deleteClaim",
                                        false,
                                        "kraftMetadata",
                                        "shared"))),
                        "resources",
                        map("requests", map("cpu", "500m", "memory", "2Gi"), "limits", map("memory", "2Gi"))));
        Map<String, Object> kafka = resource(
                API,
                "Kafka",
                map(
                        "name",
                        CLUSTER,
                        "annotations",
                        map("strimzi.io/node-pools", "enabled", "strimzi.io/kraft", "enabled")),
                "spec",
                map(
                        "kafka",
                                map(
                                        "version",
                                        versions.kafka(),
                                        "listeners",
                                        List.of(
                                                map("name", "plain", "port", 9092, "type", "internal", "tls", false),
                                                map("name", "tls", "port", 9093, "type", "internal", "tls", true)),
                                        "config",
                                        map(
                                                "default.replication.factor",
                                                REPLICAS,
                                                "min.insync.replicas",
                                                2,
                                                "offsets.topic.replication.factor",
                                                REPLICAS,
                                                "transaction.state.log.replication.factor",
                                                REPLICAS,
                                                "transaction.state.log.min.isr",
                                                2)),
                        "entityOperator", map("topicOperator", map(), "userOperator", map())));
        return List.of(pool, kafka);
    }

    /** One KafkaTopic per topic the launcher creates, sorted by name; partitions as the launcher's. */
    List<Map<String, Object>> topics() {
        List<Map<String, Object>> out = new ArrayList<>();
        new TreeMap<>(KafkaBroker.TOPICS)
                .forEach((topic, partitions) -> out.add(resource(
                        API,
                        "KafkaTopic",
                        map("name", topic, "labels", map("strimzi.io/cluster", CLUSTER)),
                        "spec",
                        map(
                                "topicName",
                                topic,
                                "partitions",
                                partitions,
                                "replicas",
                                REPLICAS,
                                "config",
                                map("min.insync.replicas", 2)))));
        return out;
    }

    /**
     * Kafka Connect (Debezium's PostgreSQL connector added by Strimzi's image build) and the single
     * outbox connector for every service schema that has an outbox, as {@code ./broker up} registers it.
     * Database settings reach the connector as {@code ${env:...}} from the operator's Secret.
     */
    List<Map<String, Object>> connect() {
        List<String> schemas = StackPorts.forProfile("local").services().stream()
                .filter(ServiceSpec::outbox)
                .map(ServiceSpec::schema)
                .toList();
        Map<String, String> database = map4(
                "pg.host",
                env("PG_HOST"),
                "pg.port",
                env("PG_PORT"),
                "pg.user",
                env("PG_USER"),
                "pg.password",
                env("PG_PASSWORD"),
                "pg.database",
                env("PG_DATABASE"));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = JSON.convertValue(
                ConnectWorker.outboxConfig(root, database, schemas, Stack.OUTBOX_CONNECTOR, Stack.OUTBOX_SLOT, false),
                Map.class);
        config.remove("connector.class");
        Object tasks = config.remove("tasks.max");
        String connectName = CLUSTER + "-connect";
        List<Object> env = new ArrayList<>();
        for (String key : List.of("PG_HOST", "PG_PORT", "PG_USER", "PG_PASSWORD", "PG_DATABASE")) {
            env.add(map("name", key, "valueFrom", map("secretKeyRef", map("name", CONNECT_DB_SECRET, "key", key))));
        }
        Map<String, Object> worker = workerConfig();
        worker.put("config.providers", "env");
        worker.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        Map<String, Object> kafkaConnect = resource(
                API,
                "KafkaConnect",
                map("name", connectName, "annotations", map("strimzi.io/use-connector-resources", "true")),
                "spec",
                map(
                        "version",
                        versions.kafka(),
                        "replicas",
                        1,
                        "bootstrapServers",
                        BOOTSTRAP,
                        "config",
                        worker,
                        "build",
                        map(
                                // the operator's registry: an overlay patches this image name (k8s/README.md)
                                "output",
                                        map(
                                                "type",
                                                "docker",
                                                "image",
                                                "gpu-broker/kafka-connect-debezium:" + versions.debezium()),
                                "plugins",
                                        List.of(map(
                                                "name",
                                                "debezium-postgres",
                                                "artifacts",
                                                List.of(map(
                                                        "type",
                                                        "maven",
                                                        "group",
                                                        "io.debezium",
                                                        "artifact",
                                                        "debezium-connector-postgres",
                                                        "version",
                                                        versions.debezium()))))),
                        "resources",
                        map("requests", map("cpu", "250m", "memory", "1Gi"), "limits", map("memory", "1Gi")),
                        "template",
                        map("connectContainer", map("env", env))));
        Map<String, Object> connector = resource(
                API,
                "KafkaConnector",
                map(
                        "name",
                        ConnectWorker.connectorName(Stack.OUTBOX_SLOT),
                        "labels",
                        map("strimzi.io/cluster", connectName)),
                "spec",
                map(
                        "class",
                        "io.debezium.connector.postgresql.PostgresConnector",
                        "tasksMax",
                        Integer.parseInt(String.valueOf(tasks)),
                        "config",
                        config));
        return List.of(kafkaConnect, connector);
    }

    /** infra/connect/worker.properties without what Strimzi owns, with the cluster's replication factor. */
    private Map<String, Object> workerConfig() {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(root.resolve("infra/connect/worker.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> out = new TreeMap<>();
        p.forEach((k, v) -> {
            String key = k.toString();
            if (WORKER_KEYS_NOT_COPIED.stream().noneMatch(key::startsWith)) {
                out.put(key, key.endsWith(".replication.factor") ? REPLICAS : v.toString());
            }
        });
        return out;
    }

    private static String env(String name) {
        return "${env:" + name + "}";
    }

    private static Map<String, String> map4(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
