package io.gpubroker.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** A real single-node KRaft Kafka broker as its own JVM, from the jars of {@code infra/kafka-dist}. */
public final class KafkaBroker implements AutoCloseable {
    /** Topics and their partition counts; created up front so consumers never race auto-creation. */
    public static final Map<String, Integer> TOPICS = Map.ofEntries(
            Map.entry("session.events", 6),
            Map.entry("offer.events", 3),
            Map.entry("cost.events", 3),
            Map.entry("budget.events", 3),
            Map.entry("provider.offers", 3),
            Map.entry("provisioning.requests", 6),
            Map.entry("provisioning.replies", 6),
            Map.entry("instance.inventory", 3),
            Map.entry("session.events.dlq", 1),
            Map.entry("offer.events.dlq", 1),
            Map.entry("cost.events.dlq", 1),
            Map.entry("budget.events.dlq", 1),
            Map.entry("provider.offers.dlq", 1),
            Map.entry("provisioning.requests.dlq", 1),
            Map.entry("provisioning.replies.dlq", 1),
            Map.entry("instance.inventory.dlq", 1));

    private final Proc proc;
    private final int port;

    private KafkaBroker(Proc proc, int port) {
        this.proc = proc;
        this.port = port;
    }

    public static KafkaBroker start(Path projectRoot, Path dataDir, Path logDir, int port, int controllerPort) {
        try {
            Path lib = projectRoot.resolve("infra/kafka-dist/target/lib");
            if (!Files.isDirectory(lib)) {
                throw new IllegalStateException("missing " + lib + ": build infra/kafka-dist first");
            }
            Files.createDirectories(dataDir);
            Path logs = dataDir.resolve("logs");
            Path props = dataDir.resolve("server.properties");
            Files.writeString(
                    props,
                    Templates.fill(
                            projectRoot.resolve("infra/connect/kafka-server.properties"),
                            Map.of(
                                    "port",
                                    String.valueOf(port),
                                    "controller.port",
                                    String.valueOf(controllerPort),
                                    "data",
                                    logs.toAbsolutePath().toString())));
            Path log4j = writeLog4j(dataDir, logDir.resolve("kafka-server.log"));
            List<String> jvm = List.of(
                    "-Xms256m",
                    "-Xmx768m",
                    "-XX:+UseG1GC",
                    "-Dlog4j2.configurationFile=" + log4j,
                    "-Dkafka.logs.dir=" + logDir);
            String cp = Proc.classpath(lib);
            if (!Files.exists(logs.resolve("meta.properties"))) {
                Proc format = Proc.java(
                        "kafka-format",
                        jvm,
                        cp,
                        "kafka.tools.StorageTool",
                        List.of(
                                "format",
                                "-t",
                                UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                                "-c",
                                props.toString()),
                        Map.of(),
                        logDir.resolve("kafka-format.log"));
                Wait.until("kafka storage format", Duration.ofSeconds(60), () -> !format.alive());
            }
            Proc p = Proc.java(
                    "kafka", jvm, cp, "kafka.Kafka", List.of(props.toString()), Map.of(), logDir.resolve("kafka.log"));
            KafkaBroker broker = new KafkaBroker(p, port);
            Wait.until("kafka", Duration.ofSeconds(90), () -> {
                if (!p.alive()) {
                    throw new IllegalStateException("kafka exited; see " + p.log());
                }
                return broker.ready();
            });
            broker.createTopics();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writeLog4j(Path dir, Path file) throws IOException {
        Path f = dir.resolve("log4j2.properties");
        Files.writeString(f, """
                status = warn
                appender.file.type = File
                appender.file.name = file
                appender.file.fileName = %s
                appender.file.layout.type = PatternLayout
                appender.file.layout.pattern = [%%d] %%p %%m (%%c)%%n
                rootLogger.level = warn
                rootLogger.appenderRef.file.ref = file
                logger.kafka.name = kafka
                logger.kafka.level = info
                logger.server.name = kafka.server.KafkaRaftServer
                logger.server.level = info
                """.formatted(file.toAbsolutePath()));
        return f;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public Proc proc() {
        return proc;
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(p);
    }

    private boolean ready() {
        if (!Wait.portOpen(port)) {
            return false;
        }
        try (Admin a = admin()) {
            return !a.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private void createTopics() {
        try (Admin a = admin()) {
            Set<String> existing = a.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            TOPICS.forEach((t, parts) -> {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, parts, (short) 1));
                }
            });
            if (!missing.isEmpty()) {
                a.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        proc.stop(30);
    }
}
