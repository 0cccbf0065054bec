package io.gpubroker.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerting rules and the Prometheus configuration the stack generates, checked by the real
 * {@code promtool} of Debian's prometheus package (installed by the project's script where missing):
 * every rule's unit tests in {@code infra/prometheus/alerts-tests.yml} pass, and the generated
 * configuration of the small stack and of the cluster form loads with every service process a target.
 */
class PrometheusRulesTests {
    static Path prometheusDir;

    @TempDir
    Path dir;

    @BeforeAll
    static void promtool() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("broker"))) {
            root = root.getParent();
        }
        prometheusDir = root.resolve("infra/prometheus");
        Result install = run(prometheusDir, "bash", "install.sh");
        assertThat(install.exit())
                .as("infra/prometheus/install.sh: " + install.out())
                .isZero();
    }

    @Test
    void everyAlertingRuleHasPassingPromtoolTests() throws Exception {
        Result check = run(prometheusDir, "promtool", "check", "rules", "alerts.yml");
        assertThat(check.exit()).as(check.out()).isZero();
        assertThat(check.out()).contains("SUCCESS: 9 rules found");
        Result test = run(prometheusDir, "promtool", "test", "rules", "alerts-tests.yml");
        assertThat(test.exit()).as(test.out()).isZero();
        assertThat(test.out()).contains("SUCCESS");
        // every rule named in alerts.yml has at least one case in the tests
        String rules = Files.readString(prometheusDir.resolve("alerts.yml"));
        String tests = Files.readString(prometheusDir.resolve("alerts-tests.yml"));
        List<String> names = rules.lines()
                .filter(l -> l.trim().startsWith("- alert: "))
                .map(l -> l.trim().substring("- alert: ".length()))
                .toList();
        assertThat(names).hasSize(9);
        assertThat(names).allSatisfy(n -> assertThat(tests).contains("alertname: " + n + ","));
    }

    @Test
    void theGeneratedConfigurationLoadsWithEveryServiceProcessAsATarget() throws Exception {
        for (Scale scale : List.of(Scale.SMALL, Scale.cluster(2))) {
            List<ServiceSpec> specs = StackPorts.forProfile("local").services(scale);
            Path config = dir.resolve("prometheus-" + scale.replicas() + ".yml");
            Files.writeString(config, PrometheusServer.config(specs, prometheusDir.resolve("alerts.yml")));
            Result check = run(dir, "promtool", "check", "config", config.toString());
            assertThat(check.exit()).as(check.out()).isZero();
            assertThat(check.out()).contains("SUCCESS: 1 rule files found");
            String text = Files.readString(config);
            for (ServiceSpec s : specs) {
                assertThat(text).contains("'127.0.0.1:" + s.port() + "'", "replica: " + s.name());
            }
        }
        // the cluster form: 2 replicas of four services and a gateway per provider
        assertThat(StackPorts.forProfile("local").services(Scale.cluster(2))).hasSize(8 + Stack.PROVIDERS.size());
    }

    @Test
    void theStaticConfigurationForADeploymentLoadsTheSameRules() throws Exception {
        Result check = run(prometheusDir, "promtool", "check", "config", "prometheus.yml");
        assertThat(check.exit()).as(check.out()).isZero();
        assertThat(check.out()).contains("SUCCESS: 1 rule files found");
    }

    record Result(int exit, String out) {}

    static Result run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
