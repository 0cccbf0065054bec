package io.gpubroker.gateway.metrics;

import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.gateway.metrics.PromText.Family;
import io.gpubroker.gateway.metrics.PromText.Sample;
import io.gpubroker.gateway.proxy.Replicas;
import io.gpubroker.gateway.proxy.Service;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The broker API's key metrics at the gateway's {@code /metrics} ({@code gpu_sessions_active},
 * {@code gpu_orphans_detected_total}, ... {@code gpu_provider_api_errors_total}), read from every
 * replica of the services that own them (session-service, provider-gateway), which keep exposing
 * them at their own {@code /q/metrics}. Counters, summaries and histograms are per process, so
 * replicas' samples are summed; gauges ({@code gpu_sessions_active} is read from the database by
 * every replica, {@code _max} is a maximum) take the largest replica's value, never a sum.
 * {@code gpu_broker_metrics_source_up{source}} says which owners answered.
 */
@ApplicationScoped
public class SeedMetrics {
    private static final Logger LOG = Logger.getLogger(SeedMetrics.class);

    /** The families session-service owns. */
    static final Set<String> SESSION_FAMILIES = Set.of(
            "gpu_sessions_active",
            "gpu_orphans_detected_total",
            "gpu_destroy_failures_total",
            "gpu_ssh_verify_duration_seconds",
            "gpu_ssh_verify_duration_seconds_max",
            "gpu_ssh_verify_failures_total");
    /** The families provider-gateway owns. */
    static final Set<String> PROVIDER_FAMILIES = Set.of("gpu_provider_api_errors_total");

    private final WebClient client;
    private final Replicas replicas;
    private final GatewayConfig.Metrics config;

    public SeedMetrics(Vertx vertx, Replicas replicas, GatewayConfig.Metrics config) {
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setConnectTimeout((int) config.scrapeTimeout().toMillis())
                        .setMaxPoolSize(4)
                        .setUserAgent("gpu-broker-api-gateway-metrics"));
        this.replicas = replicas;
        this.config = config;
    }

    /** One owner process and the families read from it. */
    record Source(String url, Set<String> families) {}

    /** The seed metrics in the text format, aggregated over every owner that answered. */
    public Uni<String> scrape() {
        List<Source> sources = sources();
        List<Uni<Map<String, Family>>> reads = sources.stream().map(this::read).toList();
        return Uni.join().all(reads).andFailFast().map(results -> {
            StringBuilder out = new StringBuilder();
            PromText.write(
                    out, aggregate(results.stream().filter(r -> r != null).toList()));
            out.append("# HELP gpu_broker_metrics_source_up 1 when this owner of seed metrics answered the gateway\n");
            out.append("# TYPE gpu_broker_metrics_source_up gauge\n");
            for (int i = 0; i < sources.size(); i++) {
                out.append("gpu_broker_metrics_source_up{source=\"")
                        .append(sources.get(i).url())
                        .append("\"} ")
                        .append(results.get(i) == null ? 0 : 1)
                        .append('\n');
            }
            return out.toString();
        });
    }

    List<Source> sources() {
        List<Source> out = new ArrayList<>();
        replicas.all(Service.SESSION)
                .forEach(i -> out.add(new Source(
                        (i.isSecure() ? "https://" : "http://") + i.getHost() + ":" + i.getPort(), SESSION_FAMILIES)));
        Arrays.stream(config.providerGatewayUrl().split(","))
                .map(String::trim)
                .filter(u -> !u.isEmpty())
                .forEach(u ->
                        out.add(new Source(u.endsWith("/") ? u.substring(0, u.length() - 1) : u, PROVIDER_FAMILIES)));
        return out;
    }

    /** One owner's families, or null when it did not answer in time (the others are still served). */
    private Uni<Map<String, Family>> read(Source s) {
        return Uni.createFrom()
                .completionStage(() -> client.getAbs(s.url() + "/q/metrics")
                        .timeout(config.scrapeTimeout().toMillis())
                        .putHeader("Accept", "text/plain; version=0.0.4")
                        .send()
                        .toCompletionStage())
                .map(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + r.statusCode());
                    }
                    return PromText.read(r.bodyAsString(), s.families());
                })
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.debugf("metrics of %s not read: %s", s.url(), e.toString());
                    return null;
                });
    }

    /** Sums (counters, summaries, histograms) or takes the maximum (gauges) of each sample over the replicas. */
    static List<Family> aggregate(List<Map<String, Family>> replicas) {
        Map<String, Family> first = new LinkedHashMap<>();
        Map<String, Map<String, Sample>> merged = new LinkedHashMap<>();
        for (Map<String, Family> r : replicas) {
            for (Family f : r.values()) {
                first.putIfAbsent(f.name(), f);
                boolean gauge = "gauge".equals(f.type());
                Map<String, Sample> m = merged.computeIfAbsent(f.name(), k -> new LinkedHashMap<>());
                for (Sample s : f.samples()) {
                    m.merge(
                            s.key(),
                            s,
                            (a, b) -> new Sample(
                                    a.name(),
                                    a.labels(),
                                    gauge ? Math.max(a.value(), b.value()) : a.value() + b.value()));
                }
            }
        }
        List<Family> out = new ArrayList<>();
        for (Family f : first.values()) {
            out.add(new Family(
                    f.name(),
                    f.help(),
                    f.type(),
                    new ArrayList<>(merged.get(f.name()).values())));
        }
        return out;
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
