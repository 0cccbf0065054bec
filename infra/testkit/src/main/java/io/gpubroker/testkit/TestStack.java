package io.gpubroker.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.stack.ConnectWorker;
import io.gpubroker.stack.Postgres;
import io.gpubroker.stack.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real infrastructure tests run against. When the test command ({@code ./broker test}) has
 * started the {@code test} profile stack, its state file names it and every test JVM shares it;
 * otherwise (a test run from an IDE) this JVM starts PostgreSQL, Kafka and Kafka Connect itself
 * and stops them on exit. No Docker is needed either way.
 */
public final class TestStack {
    /** The header of the internal token (service-kit's InternalToken.HEADER; testkit does not depend on service-kit). */
    public static final String INTERNAL_HEADER = "X-Broker-Internal-Token";
    /** The internal token every service under test expects (BROKER_INTERNAL_TOKEN); tests only. */
    public static final String INTERNAL_TOKEN = "testkit-internal-token-4f8a2c9e1b7d3a6f0c5e";

    private static TestStack instance;

    private final Postgres pg;
    private final String kafka;
    private final ConnectWorker connect;
    private final Map<String, String> connectors = new ConcurrentHashMap<>();

    private TestStack(Postgres pg, String kafka, ConnectWorker connect) {
        this.pg = pg;
        this.kafka = kafka;
        this.connect = connect;
    }

    public static synchronized TestStack get() {
        if (instance == null) {
            instance = open();
        }
        return instance;
    }

    static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("broker"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project root (the folder with ./broker)");
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    private static TestStack open() {
        Path root = projectRoot();
        Path state = root.resolve(".broker/test/state.json");
        try {
            if (Files.exists(state)) {
                Map<String, Object> s = new ObjectMapper().readValue(state.toFile(), Map.class);
                Object pid = s.get("launcher_pid");
                boolean alive = pid instanceof Number n
                        && ProcessHandle.of(n.longValue())
                                .map(ProcessHandle::isAlive)
                                .orElse(false);
                if (alive && "ready".equals(s.get("phase"))) {
                    Map<String, String> pgInfo = (Map<String, String>) s.get("postgres");
                    java.net.URI u = java.net.URI.create(pgInfo.get("jdbc_url").substring(5));
                    String pgUrl = System.getenv("PG_URL");
                    Postgres pg = pgUrl != null && !pgUrl.isBlank()
                            ? Postgres.external(pgUrl)
                            : Postgres.attach(
                                    u.getHost(),
                                    u.getPort(),
                                    pgInfo.get("user"),
                                    "postgres",
                                    u.getPath().substring(1));
                    return new TestStack(
                            pg,
                            (String) s.get("kafka"),
                            ConnectWorker.attach(
                                    root,
                                    root.resolve(".broker/test/connect"),
                                    root.resolve(".broker/test/logs"),
                                    (String) s.get("kafka"),
                                    java.net
                                            .URI
                                            .create((String) s.get("connect"))
                                            .getPort()));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + state, e);
        }
        // nobody started the infrastructure: start it for this JVM (same components, own data dir)
        Stack stack = new Stack(new Stack.Options(root, "test", true, true, 1.0, System.getenv("PG_URL")));
        stack.start();
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        return new TestStack(stack.postgres(), stack.kafka().bootstrap(), stack.connect());
    }

    public Postgres postgres() {
        return pg;
    }

    public String kafkaBootstrap() {
        return kafka;
    }

    public ConnectWorker connect() {
        return connect;
    }

    /** Registers the outbox connector of {@code schema} (once per JVM; idempotent on the worker). */
    public String registerOutbox(String schema) {
        return connectors.computeIfAbsent(schema, s -> connect.registerOutbox(pg, s, "test_outbox_" + s, false));
    }

    /** Config a Quarkus service under test needs to reach this infrastructure. */
    public Map<String, String> quarkusConfig() {
        return Map.of(
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.reactive.url", pg.reactiveUrl(),
                "quarkus.datasource.username", pg.user(),
                "quarkus.datasource.password", pg.password(),
                "kafka.bootstrap.servers", kafka,
                "broker.internal.token", INTERNAL_TOKEN,
                "quarkus.devservices.enabled", "false");
    }
}
