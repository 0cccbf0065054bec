package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.JSON;
import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.stack.ServiceSpec;
import io.gpubroker.stack.Stack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Observability on the real stack, after a small scripted workload (a consumer with a budget, one
 * session through the gateway from request to stopped, an orphan on Rackrr whose destroys the
 * provider refuses for a while): the stack's Prometheus scrapes every service process; the
 * gateway's {@code /metrics} carries the seed metrics, equal to what their owners expose; every
 * PromQL panel of the Grafana dashboards, evaluated by the real Prometheus, and every SQL panel,
 * run on the database, returns plausible data (the spend panels' total is the ledger's); the JSON
 * logs name the session, and no log holds the session's private key or the consumer's API key.
 *
 * <p>Opt-in ({@code -Dbroker.e2e.observability=true}) until it has passed on a quiet machine: written under a load of 30-60, its stack never finished starting.
 */
@EnabledIfSystemProperty(named = "broker.e2e.observability", matches = "true")
class ObservabilityTests {
    /** A Prometheus 2.x scraper's Accept header. */
    static final String SCRAPER_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /** What the workload left behind. */
    record Workload(String consumer, String apiKey, String session, String privateKey, String orphan) {}

    private static Workload workload;
    private static Throwable workloadFailure;

    /** Runs the workload once for every test of the class (a failed one is not run again by the next test). */
    static synchronized Workload workload() {
        if (workloadFailure != null) {
            throw new IllegalStateException("the workload failed", workloadFailure);
        }
        if (workload == null) {
            try {
                workload = runWorkload();
            } catch (RuntimeException | AssertionError e) {
                workloadFailure = e;
                throw e;
            }
        }
        return workload;
    }

    static Workload runWorkload() {
        Stack stack = E2EStack.get();
        assertThat(stack.prometheusUrl()).as("the stack's Prometheus").isNotNull();
        String gw = url("api-gateway");
        String admin = stack.adminKeyValue();
        String consumer = "team-obs-" + UUID.randomUUID().toString().substring(0, 6);
        String key = GatewayFlowTests.consumer(admin, consumer);
        String[] auth = {"Authorization", "Bearer " + key};
        assertThat(call(
                                "PUT",
                                gw + "/api/v1/consumers/" + consumer + "/budget",
                                Map.of("monthly_limit", 100, "currency", "USD"),
                                "Authorization",
                                "Bearer " + admin)
                        .status())
                .isEqualTo(200);

        // an orphan on Rackrr whose destroys fail until the broker has counted a failure
        String ctl = (String) E2EStack.sim("rackrr").get("control_url");
        E2EStack.simFault("rackrr", Map.of("op", "destroy", "status", 503));
        String orphan;
        try {
            E2EStack.Reply o = call("POST", ctl + "/orphans", Map.of("tag", "gpub-local-sess-obs" + UUID.randomUUID()));
            assertThat(o.status()).isEqualTo(201);
            orphan = o.body().path("id").asText();

            // meanwhile one session through the gateway, from request to stopped
            JsonNode offer = SessionLifecycleTests.firstOffer("barrack");
            E2EStack.Reply created = call(
                    "POST",
                    gw + "/api/v1/sessions",
                    Map.of("offer_id", offer.path("id").asText(), "workload_type", "batch", "reservation_hours", 1),
                    auth);
            assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
            String session = created.body().path("session").path("id").asText();
            String privateKey = created.body().path("ssh_private_key").asText();
            assertThat(privateKey).contains("PRIVATE KEY");
            SessionLifecycleTests.awaitStatus(session, "running");
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> ownerValue("session-service", "gpu_destroy_failures_total") >= 1
                            && ownerValue("session-service", "gpu_orphans_detected_total") >= 1);
            assertThat(call("POST", gw + "/api/v1/sessions/" + session + "/done", null, auth)
                            .status())
                    .isEqualTo(200);
            SessionLifecycleTests.awaitStatus(session, "stopped");
            E2EStack.simReset("rackrr");
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> RestartWithOrphansTests.destroyed(orphan));
            return new Workload(consumer, key, session, privateKey, orphan);
        } finally {
            E2EStack.simReset("rackrr");
        }
    }

    @Test
    void prometheusScrapesEveryServiceProcessAsAHealthyTarget() {
        workload();
        Stack stack = E2EStack.get();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    JsonNode targets = prometheus("/api/v1/targets?state=active")
                            .path("data")
                            .path("activeTargets");
                    Map<String, String> health = new LinkedHashMap<>();
                    targets.forEach(t -> health.put(
                            t.path("labels").path("replica").asText(),
                            t.path("health").asText()));
                    for (ServiceSpec s : stack.serviceSpecs()) {
                        assertThat(health).as("target " + s.name()).containsEntry(s.name(), "up");
                    }
                    assertThat(health).hasSize(stack.serviceSpecs().size());
                });
        // the alerting rules are loaded, and the workload's orphan fired (or fires) GpuOrphansDetected
        JsonNode rules = prometheus("/api/v1/rules").path("data").path("groups");
        List<String> names = new ArrayList<>();
        rules.forEach(g -> g.path("rules").forEach(r -> names.add(r.path("name").asText())));
        assertThat(names)
                .contains(
                        "GpuOrphansDetected",
                        "GpuDestroyFailuresPersisting",
                        "GpuProviderDown",
                        "GpuConsumerLagGrowing",
                        "GpuOutboxLag",
                        "GpuBudgetExceeded");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> prometheus("/api/v1/alerts")
                        .path("data")
                        .path("alerts")
                        .toString()
                        .contains("GpuOrphansDetected"));
    }

    @Test
    void theGatewaysMetricsCarryTheSeedMetricsAsTheirOwnersCountThem() throws Exception {
        workload();
        HttpResponse<String> r = E2EStack.HTTP.send(
                HttpRequest.newBuilder(URI.create(url("api-gateway") + "/metrics"))
                        .header("Accept", SCRAPER_ACCEPT)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String text = r.body();
        for (String family : List.of(
                "gpu_sessions_active",
                "gpu_orphans_detected_total",
                "gpu_destroy_failures_total",
                "gpu_ssh_verify_duration_seconds",
                "gpu_ssh_verify_failures_total",
                "gpu_provider_api_errors_total")) {
            assertThat(text).as(family).containsPattern("(?m)^# TYPE " + family + " ");
        }
        assertThat(text).containsPattern("(?m)^gpu_provider_api_errors_total\\{[^}]*provider=\"rackrr\"");
        assertThat(text).containsPattern("(?m)^gpu_ssh_verify_duration_seconds_count [1-9]");
        // one replica of each owner here: the gateway's value is the owner's (counters only grow, so >=)
        double orphans = value(text, "gpu_orphans_detected_total");
        assertThat(orphans).isGreaterThanOrEqualTo(1);
        assertThat(ownerValue("session-service", "gpu_orphans_detected_total")).isGreaterThanOrEqualTo(orphans);
        assertThat(text)
                .doesNotContain("gpu_broker_metrics_source_up{source=\"http://127.0.0.1:"
                        + E2EStack.get().serviceSpecs().get(0).port() + "\"} 0");
        assertThat(text).containsPattern("(?m)^gpu_broker_metrics_source_up\\{[^}]*} 1$");
    }

    @Test
    void everyDashboardPanelReturnsPlausibleDataOnTheLiveStack() throws Exception {
        Workload w = workload();
        Stack stack = E2EStack.get();
        List<Panel> panels = panels();
        int prom = 0;
        int sql = 0;
        for (Panel p : panels) {
            if (p.promql()) {
                prom++;
                // scrapes every 5 s and rules every 5 s: a query may need a few rounds to see the workload
                List<JsonNode> series = new ArrayList<>();
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(3))
                        .untilAsserted(() -> {
                            series.clear();
                            series.addAll(query(p.query()));
                            assertThat(series).as(p + " series").isNotEmpty();
                            plausible(p, series, w);
                        });
            } else {
                sql++;
                String rows = stack.postgres()
                        .query(stack.postgres().database(), "select count(*) from (" + p.query() + ") panel");
                assertThat(Integer.parseInt(rows)).as(p + " rows").isPositive();
            }
        }
        assertThat(prom).isGreaterThanOrEqualTo(15);
        assertThat(sql).isGreaterThanOrEqualTo(5);

        // the spend panels add up to the ledger: the consumer's day rows are its ledger entries
        String db = stack.postgres().database();
        String ledger = stack.postgres()
                .query(
                        db,
                        "select coalesce(sum(amount), 0) from billing.ledger_entries where consumer_id = '"
                                + w.consumer() + "'");
        String panel = stack.postgres()
                .query(
                        db,
                        "select coalesce(sum(cost), 0) from billing.v_spend_daily_by_consumer where consumer_id = '"
                                + w.consumer() + "'");
        assertThat(new java.math.BigDecimal(ledger)).isPositive();
        assertThat(new java.math.BigDecimal(panel)).isEqualByComparingTo(new java.math.BigDecimal(ledger));
        // and the consumer's cost in the API is the same money
        E2EStack.Reply costs = call(
                "GET",
                url("api-gateway") + "/api/v1/costs?session_id=" + w.session(),
                null,
                "Authorization",
                "Bearer " + w.apiKey());
        assertThat(costs.status()).as(costs.body().toString()).isEqualTo(200);
        assertThat(costs.body().path("total_cost").decimalValue())
                .isCloseTo(
                        new java.math.BigDecimal(ledger),
                        org.assertj.core.data.Offset.offset(new java.math.BigDecimal("0.01")));
    }

    @Test
    void theLogsAreJsonWithTheSessionAndHoldNoKey() throws Exception {
        Workload w = workload();
        Path logs = E2EStack.get().logs();
        // a distinctive line of the private key's body, and the key itself
        String keyLine = w.privateKey()
                .lines()
                .filter(l -> !l.startsWith("-----"))
                .max(Comparator.comparingInt(String::length))
                .orElseThrow();
        assertThat(keyLine.length()).isGreaterThan(40);
        List<Path> files;
        try (Stream<Path> s = Files.list(logs)) {
            files = s.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            String text = Files.readString(f);
            assertThat(text).as(f + " holds the private key").doesNotContain(keyLine);
            assertThat(text).as(f + " holds the API key").doesNotContain(w.apiKey());
            assertThat(text)
                    .as(f + " holds the admin key")
                    .doesNotContain(E2EStack.get().adminKeyValue());
        }
        // the services' JSON logs: every line a JSON object; the session's steps carry its id, consumer and provider
        Map<String, Integer> withSession = new LinkedHashMap<>();
        for (String service : List.of("session-service", "provider-gateway")) {
            Path json = logs.resolve(service + ".json.log");
            assertThat(json).exists();
            int n = 0;
            for (String line : Files.readAllLines(json)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode record = JSON.readTree(line);
                assertThat(record.path("message").isMissingNode())
                        .as(service + ": " + line)
                        .isFalse();
                if (w.session().equals(record.path("session_id").asText())) {
                    n++;
                    assertThat(record.path("provider").asText()).isEqualTo("barrack");
                    if (service.equals("session-service")) {
                        assertThat(record.path("consumer_id").asText()).isEqualTo(w.consumer());
                    }
                }
            }
            withSession.put(service, n);
        }
        assertThat(withSession)
                .as("log records naming the session")
                .allSatisfy((s, n) -> assertThat(n).as(s).isPositive());
        // what the gateway logs while serving a request carries its request id
        try (Stream<String> lines = Files.lines(logs.resolve("api-gateway.json.log"))) {
            assertThat(lines.map(ObservabilityTests::readTree).filter(n -> n.has("request_id")))
                    .isNotEmpty();
        }
    }

    // --- dashboards ---

    /** One query of a panel. */
    record Panel(String dashboard, String title, String ref, boolean promql, String query) {
        @Override
        public String toString() {
            return dashboard + " / '" + title + "' " + ref + ": " + query;
        }
    }

    static List<Panel> panels() throws Exception {
        Path dir = E2EStack.get().logs().getParent().getParent().getParent().resolve("infra/grafana/dashboards");
        List<Panel> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(x -> x.toString().endsWith(".json")).sorted().toList()) {
                JsonNode d = JSON.readTree(f.toFile());
                for (JsonNode p : d.path("panels")) {
                    for (JsonNode t : p.path("targets")) {
                        String type = t.path("datasource")
                                .path("type")
                                .asText(p.path("datasource").path("type").asText());
                        boolean promql = type.equals("prometheus");
                        assertThat(promql || type.contains("postgres"))
                                .as(f.getFileName() + " " + p.path("title").asText() + " datasource " + type)
                                .isTrue();
                        out.add(new Panel(
                                f.getFileName().toString(),
                                p.path("title").asText(),
                                t.path("refId").asText(),
                                promql,
                                promql
                                        ? t.path("expr").asText()
                                        : t.path("rawSql").asText()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Beyond non-empty: no NaN, nothing negative where the quantity cannot be (drift may be), and
     * the workload visible where it must be: its orphan, its provider errors, its session's SSH
     * verification, provisioning and cost, its consumer's budget, every service up.
     */
    static void plausible(Panel p, List<JsonNode> series, Workload w) {
        for (JsonNode s : series) {
            double v = Double.parseDouble(s.path("value").get(1).asText());
            assertThat(Double.isNaN(v)).as(p + " " + s).isFalse();
            if (!p.query().contains("drift")) {
                assertThat(v).as(p + " " + s).isGreaterThanOrEqualTo(0);
            }
        }
        String q = p.query();
        if (q.contains("gpu_orphans_detected")) {
            assertThat(sum(series)).as(p.toString()).isGreaterThanOrEqualTo(1);
        }
        if (q.contains("gpu_destroy_failures")) {
            assertThat(sum(series)).as(p.toString()).isGreaterThan(0);
        }
        if (q.contains("gpu_provider_api_errors_total")) {
            assertThat(labelValues(series, "provider")).as(p.toString()).contains("rackrr");
        }
        if (q.contains("gpu_ssh_verify_duration_seconds_bucket") || q.contains("gpu_session_provisioning_seconds")) {
            assertThat(sum(series)).as(p.toString()).isGreaterThan(0);
        }
        if (q.contains("gpu_cost_accrued_usd_total")) {
            assertThat(labelValues(series, "provider")).as(p.toString()).contains("barrack");
        }
        if (q.contains("gpu_budget_used_ratio")) {
            assertThat(labelValues(series, "consumer_id")).as(p.toString()).contains(w.consumer());
        }
        if (q.contains("up{")) {
            assertThat(series)
                    .as(p.toString())
                    .allSatisfy(s -> assertThat(s.path("value").get(1).asText()).isNotEqualTo("0"));
        }
    }

    static double sum(List<JsonNode> series) {
        return series.stream()
                .mapToDouble(s -> Double.parseDouble(s.path("value").get(1).asText()))
                .sum();
    }

    static List<String> labelValues(List<JsonNode> series, String label) {
        return series.stream().map(s -> s.path("metric").path(label).asText()).toList();
    }

    /** An instant query; a scalar answer counts as one series. */
    static List<JsonNode> query(String promql) {
        JsonNode r = prometheus("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(r.path("status").asText()).as(promql + ": " + r).isEqualTo("success");
        JsonNode data = r.path("data");
        List<JsonNode> out = new ArrayList<>();
        if (data.path("resultType").asText().equals("scalar")) {
            out.add(JSON.createObjectNode().set("value", data.path("result")));
        } else {
            data.path("result").forEach(out::add);
        }
        return out;
    }

    static JsonNode prometheus(String path) {
        return readTree(E2EStack.HTTP_GET(E2EStack.get().prometheusUrl() + path));
    }

    static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** A counter's value in the service's own /q/metrics (sum over its label sets). */
    static double ownerValue(String service, String family) {
        return value(E2EStack.HTTP_GET(url(service) + "/q/metrics"), family);
    }

    static double value(String text, String family) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(family) + "(\\{[^}]*})? (\\S+)$")
                .matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }
}
