package io.gpubroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.stack.Postgres;
import io.gpubroker.testkit.TestStack;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged session-service (production mode) refuses to start with a known-default or short
 * secret, naming the variable, and starts with good ones. Each start gets a database of its own and
 * no reachable Kafka, so it never touches the e2e stack's schemas or consumer groups.
 */
class SecretStartupTests {
    private static final String GOOD_TOKEN = "Vq3xL8mZ2rT6kN9wB4cY7hJ1dF5gS0pA";
    private static final String GOOD_SECRET = "Hn5Rz1Wq8Ty3Mk6Lp0Xc4Vb7Ng2Jd9Fs";
    private static final String DB = "secret_startup_test";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Path jar;

    @BeforeAll
    static void freshDatabase() {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("broker"))) {
            root = root.getParent();
        }
        jar = root.resolve("session-service/target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("session-service must be packaged before e2e tests").exists();
        Postgres pg = TestStack.get().postgres();
        pg.execute("postgres", "drop database if exists " + DB);
        pg.execute("postgres", "create database " + DB);
    }

    @Test
    void theFormerDefaultVerificationSecretIsRefused() throws Exception {
        Run r = start(Map.of(
                "BROKER_VERIFY_SECRET", "local-development-verification-secret", "BROKER_INTERNAL_TOKEN", GOOD_TOKEN));
        assertThat(r.exitCode).isNotZero();
        assertThat(r.log).contains("refusing to start").contains("BROKER_VERIFY_SECRET is a known default");
    }

    @Test
    void aShortInternalTokenIsRefused() throws Exception {
        Run r = start(Map.of("BROKER_VERIFY_SECRET", GOOD_SECRET, "BROKER_INTERNAL_TOKEN", "short-token-1234"));
        assertThat(r.exitCode).isNotZero();
        assertThat(r.log).contains("BROKER_INTERNAL_TOKEN is too short");
    }

    @Test
    void aMissingInternalTokenIsRefused() throws Exception {
        Run r = start(Map.of("BROKER_VERIFY_SECRET", GOOD_SECRET));
        assertThat(r.exitCode).isNotZero();
        assertThat(r.log).contains("BROKER_INTERNAL_TOKEN is not set");
    }

    @Test
    void aMissingVerificationSecretIsRefused() throws Exception {
        Run r = start(Map.of("BROKER_INTERNAL_TOKEN", GOOD_TOKEN));
        assertThat(r.exitCode).isNotZero();
        // Quarkus refuses the missing required property (env BROKER_VERIFY_SECRET) before any startup code runs
        assertThat(r.log).contains("broker.verify-secret");
    }

    @Test
    void goodSecretsStart() throws Exception {
        Run r = start(Map.of("BROKER_VERIFY_SECRET", GOOD_SECRET, "BROKER_INTERNAL_TOKEN", GOOD_TOKEN));
        assertThat(r.exitCode).as(r.log).isEqualTo(-1);
        assertThat(r.startedStatus).isEqualTo(200);
        assertThat(r.log).doesNotContain("refusing to start");
    }

    /**
     * Output, exit code (-1: still running once started, then stopped) and the startup probe's
     * answer (not liveness: this process has no reachable Kafka on purpose).
     */
    private record Run(int exitCode, String log, int startedStatus) {}

    private static Run start(Map<String, String> secrets) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Postgres pg = TestStack.get().postgres();
        Path log = Files.createTempFile("session-start", ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("BROKER_") || k.startsWith("QUARKUS_") || k.startsWith("KAFKA_"));
        String jdbc = "jdbc:postgresql://" + hostPort(pg) + "/" + DB;
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbc);
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", jdbc.substring("jdbc:".length()));
        env.put("QUARKUS_DATASOURCE_USERNAME", pg.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", pg.password());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // nothing listens there: this process must never join the e2e stack's consumer groups
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9");
        env.putAll(secrets);
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline) {
                if (p.waitFor(500, TimeUnit.MILLISECONDS)) {
                    return new Run(p.exitValue(), Files.readString(log), -1);
                }
                int live = started(port);
                if (live == 200) {
                    return new Run(-1, Files.readString(log), live);
                }
            }
            return new Run(-2, Files.readString(log), -1);
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }

    private static String hostPort(Postgres pg) {
        URI u = URI.create(pg.jdbcUrl().substring("jdbc:".length()));
        return u.getHost() + ":" + u.getPort();
    }

    private static int started(int port) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/started"))
                                    .timeout(Duration.ofSeconds(2))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return 0;
        }
    }
}
