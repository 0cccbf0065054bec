package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.send;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.billing.service.DriftReconciler;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards are not decoration: every SQL panel runs against the real billing schema
 * with data in it and returns rows, and every metric a PromQL panel names is either exported by
 * this service's /q/metrics or on the documented allow-list of metrics other services export.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class DashboardTests {
    /**
     * Metrics exported by session-service, provider-gateway, every service's Kafka clients, and
     * Prometheus itself ({@code up}); infra/e2e ObservabilityTests evaluates every panel on the live stack.
     */
    static final Set<String> OTHER_SERVICES = Set.of(
            "gpu_sessions_active",
            "gpu_orphans_detected_total",
            "gpu_orphans_detected_by_provider_total",
            "gpu_destroy_failures_total",
            "gpu_destroy_failures_by_provider_total",
            "gpu_ssh_verify_duration_seconds",
            "gpu_ssh_verify_failures_total",
            "gpu_session_provisioning_seconds",
            "gpu_provider_api_errors_total",
            "gpu_provider_calls_total",
            "gpu_provider_circuit_state",
            "gpu_outbox_slot_lag_bytes",
            "gpu_outbox_slot_active",
            "kafka_consumer_fetch_manager_records_lag",
            "up");

    static final Set<String> PROMQL_WORDS = Set.of(
            "sum",
            "min",
            "max",
            "avg",
            "count",
            "rate",
            "irate",
            "increase",
            "delta",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "histogram_quantile",
            "topk",
            "bottomk",
            "offset",
            "bool",
            "and",
            "or",
            "unless",
            "clamp_min",
            "clamp_max",
            "abs",
            "time",
            "vector",
            "scalar",
            "le");

    @Inject
    DriftReconciler reconciler;

    static Path dashboards() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("broker"))) {
            p = p.getParent();
        }
        return p.resolve("infra/grafana/dashboards");
    }

    static List<JsonNode> panels() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dashboards())) {
            for (Path f :
                    files.filter(x -> x.toString().endsWith(".json")).sorted().toList()) {
                JsonNode d = new ObjectMapper().readTree(f.toFile());
                assertThat(d.path("uid").asText()).as(f + " uid").isNotBlank();
                d.path("panels").forEach(out::add);
            }
        }
        return out;
    }

    /** Metric names in a PromQL expression: identifiers outside label matchers, not functions or keywords. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"[^\"]*\"", "")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\()?").matcher(e);
        while (m.find()) {
            if (m.group(2) == null
                    && !PROMQL_WORDS.contains(m.group(1))
                    && !m.group(1).matches("\\d.*")) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    void seedEveryView() throws Throwable {
        String consumer = "team-dash-" + UUID.randomUUID();
        given().contentType(ContentType.JSON)
                .body("{\"monthly_limit\": 100}")
                .put("/budgets/" + consumer)
                .then()
                .statusCode(200);
        String s = "sess-dash-" + UUID.randomUUID();
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(20));
        send(started(s, consumer, "trooper", "RTX 4090", "1.50", start, null));
        send(stopped(s, consumer, "trooper", start.plus(Duration.ofMinutes(10))));
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(s));
        // a running session makes the accrual counter move in this JVM
        String running = "sess-dash-run-" + UUID.randomUUID();
        send(started(running, consumer, "trooper", "RTX 4090", "1.50", start, null));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !"0"
                        .equals(SessionEvents.sql(
                                "select count(*) from billing.ledger_entries where session_id = '" + running + "'")));
        send(stopped(running, consumer, "trooper", Instant.now()));
        // a failed launch: the failed-launch and orphan panel reads the instance ledger
        String vm = "vm-dash-" + UUID.randomUUID();
        send(InstanceCostsTests.created(s + "-failed", consumer, vm, "attempt", "1.50", start));
        send(InstanceCostsTests.gone(s + "-failed", consumer, vm, start.plus(Duration.ofMinutes(3))));
        InstanceCostsTests.awaitCharged(vm);
        DriftTests.barrackSessionBilledLikeTheProvider();
        VertxContextSupport.subscribeAndAwait(() -> reconciler.reconcile("barrack"));
        // the budget gauge is set when a budget or its spend changes
        given().contentType(ContentType.JSON)
                .body("{\"monthly_limit\": 100}")
                .put("/budgets/" + consumer)
                .then()
                .statusCode(200);
    }

    @Test
    void everyDashboardPanelReadsRealDataOrKnownMetrics() throws Throwable {
        seedEveryView();
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        int sqlPanels = 0;
        int promPanels = 0;
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            assertThat(panel.path("targets")).as(title + " targets").isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                String type = target.path("datasource")
                        .path("type")
                        .asText(panel.path("datasource").path("type").asText());
                if (type.contains("postgres")) {
                    sqlPanels++;
                    String sql = target.path("rawSql").asText();
                    String rows =
                            TestStack.get().postgres().query("gpubroker", "select count(*) from (" + sql + ") panel");
                    assertThat(Integer.parseInt(rows))
                            .as("rows of '" + title + "': " + sql)
                            .isPositive();
                } else if (type.equals("prometheus")) {
                    promPanels++;
                    Set<String> names = metricNames(target.path("expr").asText());
                    assertThat(names).as("metrics of '" + title + "'").isNotEmpty();
                    for (String name : names) {
                        String base = name.replaceAll("_(bucket|sum|count)$", "");
                        boolean exported = Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]")
                                .matcher(metrics)
                                .find();
                        assertThat(exported || OTHER_SERVICES.contains(name) || OTHER_SERVICES.contains(base))
                                .as("'" + name + "' in '" + title + "' is exported by billing or allow-listed")
                                .isTrue();
                    }
                } else {
                    throw new AssertionError("panel '" + title + "' has an unknown datasource type " + type);
                }
            }
        }
        assertThat(sqlPanels).isGreaterThanOrEqualTo(5);
        assertThat(promPanels).isGreaterThanOrEqualTo(5);
        for (String own :
                List.of("gpu_cost_accrued_usd_total", "gpu_budget_used_ratio", "gpu_provider_cost_drift_ratio")) {
            assertThat(metrics).as(own).containsPattern("(?m)^" + own + "\\{");
        }
    }

    @Test
    void thePromqlParserFindsMetricsAndIgnoresLabelsAndFunctions() {
        assertThat(
                        metricNames(
                                "histogram_quantile(0.95, sum by (le) (rate(gpu_ssh_verify_duration_seconds_bucket{provider=\"x\"}[5m])))"))
                .containsExactly("gpu_ssh_verify_duration_seconds_bucket");
        assertThat(metricNames("sum by (provider) (rate(gpu_cost_accrued_usd_total[5m])) * 3600"))
                .containsExactly("gpu_cost_accrued_usd_total");
    }
}
