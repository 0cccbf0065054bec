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

/** A real KRaft Kafka broker (one node, or one node of a cluster) as its own JVM, from the jars of {@code infra/kafka-dist}. */
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

    private final Path logDir;
    private final int nodeId;
    private final int port;
    private final List<String> jvm;
    private final String classpath;
    private final Path props;
    private final List<KafkaBroker> cluster;
    private volatile Proc proc;

    private KafkaBroker(
            Path logDir,
            int nodeId,
            int port,
            List<String> jvm,
            String classpath,
            Path props,
            List<KafkaBroker> cluster) {
        this.logDir = logDir;
        this.nodeId = nodeId;
        this.port = port;
        this.jvm = jvm;
        this.classpath = classpath;
        this.props = props;
        this.cluster = cluster;
    }

    /** One broker (the small stack): replication factor 1. */
    public static KafkaBroker start(Path projectRoot, Path dataDir, Path logDir, int port, int controllerPort) {
        return startCluster(projectRoot, dataDir, logDir, port, controllerPort, 1)
                .get(0);
    }

    /**
     * {@code nodes} KRaft nodes, each broker and controller, node {@code i} (1-based) on
     * {@code port + 2(i-1)} with its controller on the next port; its data in {@code dataDir} for a
     * single node, {@code dataDir/node-<i>} in a cluster. Topics get replication factor
     * {@code min(nodes, 3)} and {@code min.insync.replicas=2} from three nodes on, so a write that is
     * acknowledged (producers use {@code acks=all}) survives the loss of any one broker.
     */
    public static List<KafkaBroker> startCluster(
            Path projectRoot, Path dataDir, Path logDir, int port, int controllerPort, int nodes) {
        try {
            Path lib = projectRoot.resolve("infra/kafka-dist/target/lib");
            if (!Files.isDirectory(lib)) {
                throw new IllegalStateException("missing " + lib + ": build infra/kafka-dist first");
            }
            int rf = Math.min(nodes, 3);
            int minIsr = rf >= 3 ? 2 : 1;
            StringBuilder voters = new StringBuilder();
            for (int i = 1; i <= nodes; i++) {
                voters.append(i == 1 ? "" : ",").append(i).append("@127.0.0.1:").append(controllerPort + 2 * (i - 1));
            }
            String clusterId = UUID.randomUUID().toString().replace("-", "").substring(0, 22);
            String cp = Proc.classpath(lib);
            List<KafkaBroker> brokers = new ArrayList<>();
            for (int i = 1; i <= nodes; i++) {
                Path dir = nodes == 1 ? dataDir : dataDir.resolve("node-" + i);
                String suffix = nodes == 1 ? "" : "-" + i;
                Files.createDirectories(dir);
                Path logs = dir.resolve("logs");
                Path props = dir.resolve("server.properties");
                Files.writeString(
                        props,
                        Templates.fill(
                                projectRoot.resolve("infra/connect/kafka-server.properties"),
                                Map.of(
                                        "node.id", String.valueOf(i),
                                        "voters", voters.toString(),
                                        "port", String.valueOf(port + 2 * (i - 1)),
                                        "controller.port", String.valueOf(controllerPort + 2 * (i - 1)),
                                        "data", logs.toAbsolutePath().toString(),
                                        "rf", String.valueOf(rf),
                                        "min.isr", String.valueOf(minIsr))));
                Path log4j = writeLog4j(dir, logDir.resolve("kafka-server" + suffix + ".log"));
                List<String> jvm = List.of(
                        "-Xms256m",
                        nodes == 1 ? "-Xmx768m" : "-Xmx512m",
                        "-XX:+UseG1GC",
                        "-Dlog4j2.configurationFile=" + log4j,
                        "-Dkafka.logs.dir=" + logDir);
                if (!Files.exists(logs.resolve("meta.properties"))) {
                    Proc format = Proc.java(
                            "kafka-format" + suffix,
                            jvm,
                            cp,
                            "kafka.tools.StorageTool",
                            List.of("format", "-t", clusterId, "-c", props.toString()),
                            Map.of(),
                            logDir.resolve("kafka-format" + suffix + ".log"));
                    Wait.until("kafka storage format", Duration.ofSeconds(60), () -> !format.alive());
                }
                brokers.add(new KafkaBroker(logDir, i, port + 2 * (i - 1), jvm, cp, props, brokers));
            }
            for (KafkaBroker b : brokers) {
                b.launch();
            }
            for (KafkaBroker b : brokers) {
                b.awaitReady();
            }
            brokers.get(0).createTopics(rf, minIsr);
            return List.copyOf(brokers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        String suffix = cluster.size() == 1 ? "" : "-" + nodeId;
        proc = Proc.java(
                "kafka" + suffix,
                jvm,
                classpath,
                "kafka.Kafka",
                List.of(props.toString()),
                Map.of(),
                logDir.resolve("kafka" + suffix + ".log"));
    }

    private void awaitReady() {
        Proc p = proc;
        Wait.until("kafka node " + nodeId, Duration.ofSeconds(120), () -> {
            if (!p.alive()) {
                throw new IllegalStateException("kafka exited; see " + p.log());
            }
            return ready();
        });
    }

    /** Kill -9 of this broker (a crash); {@link #restart} starts it again on the same data. */
    public void kill9() {
        proc.kill();
    }

    /** Starts this broker again after {@link #kill9} and waits until it answers. */
    public void restart() {
        if (proc.alive()) {
            throw new IllegalStateException("kafka node " + nodeId + " is still running");
        }
        launch();
        awaitReady();
    }

    public int nodeId() {
        return nodeId;
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

    /** This node's address. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Every node's address: what clients are given, so any one node may be down. */
    public String bootstrap() {
        StringBuilder b = new StringBuilder();
        for (KafkaBroker k : cluster) {
            b.append(b.length() == 0 ? "" : ",").append(k.address());
        }
        return b.toString();
    }

    public Proc proc() {
        return proc;
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(p);
    }

    private boolean ready() {
        if (!Wait.portOpen(port)) {
            return false;
        }
        try (Admin a = admin()) {
            // a cluster node is ready once it sees the whole cluster (the quorum has formed)
            return a.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= cluster.size();
        } catch (Exception e) {
            return false;
        }
    }

    private void createTopics(int rf, int minIsr) {
        try (Admin a = admin()) {
            Set<String> existing = a.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            TOPICS.forEach((t, parts) -> {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, parts, (short) rf)
                            .configs(Map.of("min.insync.replicas", String.valueOf(minIsr))));
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
