package io.gpubroker.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Kafka Connect in distributed mode (one worker) running the Debezium PostgreSQL connector with the
 * outbox EventRouter; connector configuration is {@code infra/connect/outbox-connector.json},
 * registered per service schema with an idempotent {@code PUT /connectors/<name>/config}.
 */
public final class ConnectWorker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path projectRoot;
    private final Path dataDir;
    private final Path logDir;
    private final String kafka;
    private final int port;
    private final int replicationFactor;
    private final String name;
    private volatile Proc proc;

    private ConnectWorker(
            Path projectRoot, Path dataDir, Path logDir, String kafka, int port, int replicationFactor, String name) {
        this.projectRoot = projectRoot;
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.kafka = kafka;
        this.port = port;
        this.replicationFactor = replicationFactor;
        this.name = name;
    }

    public static ConnectWorker start(Path projectRoot, Path dataDir, Path logDir, String kafka, int port) {
        return start(projectRoot, dataDir, logDir, kafka, port, 1, "kafka-connect");
    }

    /**
     * One worker of the Connect group {@code gpubroker-connect}: workers started with the same Kafka
     * share the connectors and their tasks, and take over a dead worker's task after a rebalance.
     */
    public static ConnectWorker start(
            Path projectRoot, Path dataDir, Path logDir, String kafka, int port, int replicationFactor, String name) {
        ConnectWorker w = new ConnectWorker(projectRoot, dataDir, logDir, kafka, port, replicationFactor, name);
        w.startProcess();
        return w;
    }

    /** A worker some other process started; {@link #startProcess} can still restart it here. */
    public static ConnectWorker attach(Path projectRoot, Path dataDir, Path logDir, String kafka, int port) {
        return new ConnectWorker(projectRoot, dataDir, logDir, kafka, port, 1, "kafka-connect");
    }

    public String name() {
        return name;
    }

    /** (Re)starts the worker process; connectors and offsets live in Kafka, so they resume. */
    public void startProcess() {
        try {
            Path lib = projectRoot.resolve("infra/connect-dist/target/lib");
            if (!Files.isDirectory(lib)) {
                throw new IllegalStateException("missing " + lib + ": build infra/connect-dist first");
            }
            Files.createDirectories(dataDir);
            Path props = dataDir.resolve("worker.properties");
            Files.writeString(
                    props,
                    Templates.fill(
                            projectRoot.resolve("infra/connect/worker.properties"),
                            Map.of(
                                    "kafka",
                                    kafka,
                                    "port",
                                    String.valueOf(port),
                                    "rf",
                                    String.valueOf(replicationFactor))));
            Path log4j = dataDir.resolve("log4j2.properties");
            Files.writeString(
                    log4j, """
                    status = warn
                    appender.file.type = File
                    appender.file.name = file
                    appender.file.fileName = %s
                    appender.file.layout.type = PatternLayout
                    appender.file.layout.pattern = [%%d] %%p %%m (%%c)%%n
                    rootLogger.level = info
                    rootLogger.appenderRef.file.ref = file
                    logger.kafka.name = org.apache.kafka
                    logger.kafka.level = warn
                    """.formatted(logDir.resolve(name + "-worker.log").toAbsolutePath()));
            proc = Proc.java(
                    name,
                    List.of("-Xms128m", "-Xmx512m", "-Dlog4j2.configurationFile=" + log4j),
                    Proc.classpath(lib),
                    "org.apache.kafka.connect.cli.ConnectDistributed",
                    List.of(props.toString()),
                    Map.of(),
                    logDir.resolve(name + ".log"));
            Proc started = proc;
            Wait.until(name, Duration.ofSeconds(180), () -> {
                if (!started.alive()) {
                    throw new IllegalStateException(name + " exited; see " + started.log());
                }
                return Wait.httpStatus(url() + "/connectors") == 200;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Proc proc() {
        return proc;
    }

    /**
     * Registers (or updates) the outbox connector of one service schema and waits until its task
     * runs. {@code dropSlotOnStop} is for throwaway test connectors.
     */
    public String registerOutbox(Postgres pg, String schema, String slot, boolean dropSlotOnStop) {
        return registerOutbox(pg, List.of(schema), schema, slot, dropSlotOnStop);
    }

    /**
     * Registers (or updates) one connector for the outbox tables of several schemas: one task, one
     * replication slot and one publication instead of one per schema (each connector's task polls
     * PostgreSQL and its queue every {@code poll.interval.ms}). Topics come from each row's
     * {@code topic} column, so they do not depend on the connector; {@code name} fills the
     * template's {@code {{schema}}} (only {@code topic.prefix}, which names the heartbeat topic,
     * keeps it: the table list is set here).
     */
    public String registerOutbox(Postgres pg, List<String> schemas, String name, String slot, boolean dropSlotOnStop) {
        String connector = connectorName(slot);
        String config;
        try {
            config = JSON.writeValueAsString(outboxConfig(
                    projectRoot,
                    Map.of(
                            "pg.host",
                            pg.host(),
                            "pg.port",
                            String.valueOf(pg.port()),
                            "pg.user",
                            pg.user(),
                            "pg.password",
                            pg.password(),
                            "pg.database",
                            pg.database()),
                    schemas,
                    name,
                    slot,
                    dropSlotOnStop));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest put = HttpRequest.newBuilder(URI.create(url() + "/connectors/" + connector + "/config"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(config))
                .build();
        Wait.until("connector " + connector + " registration", Duration.ofSeconds(90), () -> {
            int code = send(put).statusCode();
            return code == 200 || code == 201;
        });
        Wait.until(
                "connector " + connector + " running",
                Duration.ofSeconds(90),
                () -> "RUNNING".equals(taskState(connector)));
        return connector;
    }

    /**
     * The outbox connector's configuration: {@code infra/connect/outbox-connector.json} filled with
     * the database settings ({@code pg.host}, {@code pg.port}, {@code pg.user}, {@code pg.password},
     * {@code pg.database}) and one table list for every schema. The single definition behind both the
     * launcher and the generated Kubernetes {@code KafkaConnector} ({@code infra/deploy}).
     */
    public static ObjectNode outboxConfig(
            Path projectRoot,
            Map<String, String> database,
            List<String> schemas,
            String name,
            String slot,
            boolean dropSlotOnStop) {
        Map<String, String> values = new java.util.HashMap<>(database);
        values.putAll(Map.of("schema", name, "slot", slot, "slot.drop", String.valueOf(dropSlotOnStop)));
        try {
            ObjectNode c = (ObjectNode)
                    JSON.readTree(Templates.fill(projectRoot.resolve("infra/connect/outbox-connector.json"), values));
            c.put(
                    "table.include.list",
                    String.join(",", schemas.stream().map(s -> s + ".outbox").toList()));
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connector's name: its replication slot's, with dashes. */
    public static String connectorName(String slot) {
        return slot.replace('_', '-');
    }

    /** Whether the worker has a connector of that name. */
    public boolean hasConnector(String name) {
        return send(HttpRequest.newBuilder(URI.create(url() + "/connectors/" + name))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build())
                        .statusCode()
                == 200;
    }

    /** The state of the connector's first task (RUNNING, FAILED, ...) or null. */
    public String taskState(String connector) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url() + "/connectors/" + connector + "/status"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build());
        if (r.statusCode() != 200) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(r.body());
            JsonNode tasks = n.path("tasks");
            if (tasks.isEmpty()) {
                return null;
            }
            String state = tasks.get(0).path("state").asText();
            if ("FAILED".equals(state)) {
                throw new IllegalStateException("connector " + connector + " failed: "
                        + tasks.get(0).path("trace").asText());
            }
            return state;
        } catch (IOException e) {
            return null;
        }
    }

    public void deleteConnector(String name) {
        send(HttpRequest.newBuilder(URI.create(url() + "/connectors/" + name))
                .timeout(Duration.ofSeconds(30))
                .DELETE()
                .build());
    }

    private static HttpResponse<String> send(HttpRequest req) {
        try {
            return Wait.HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (proc != null) {
            proc.stop(30);
        }
    }
}
