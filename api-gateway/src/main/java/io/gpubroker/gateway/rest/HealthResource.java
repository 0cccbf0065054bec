package io.gpubroker.gateway.rest;

import io.gpubroker.gateway.auth.Access;
import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.gateway.metrics.SeedMetrics;
import io.gpubroker.gateway.proxy.Service;
import io.gpubroker.gateway.proxy.UpstreamClient;
import io.gpubroker.kit.clock.BrokerClock;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /health}, {@code /ready} and {@code /metrics} of the reference API. Health asks every
 * service's {@code /q/health/ready}: session-service answers 503 during its startup sweep, and
 * until it is done the broker is not ready (503), as the reference document promises.
 */
@Path("/")
@Access(Access.Level.PUBLIC)
public class HealthResource {
    private final UpstreamClient upstream;
    private final GatewayConfig.Upstream config;
    private final BrokerClock.Scaled clock;
    private final PrometheusMeterRegistry prometheus;
    private final SeedMetrics seed;

    public HealthResource(
            UpstreamClient upstream,
            GatewayConfig.Upstream config,
            BrokerClock.Scaled clock,
            PrometheusMeterRegistry prometheus,
            SeedMetrics seed) {
        this.upstream = upstream;
        this.config = config;
        this.clock = clock;
        this.prometheus = prometheus;
        this.seed = seed;
    }

    @GET
    @Path("health")
    @Produces("application/json")
    public Uni<Response> health() {
        return probeAll().map(ready -> {
            boolean all = ready.values().stream().allMatch(Boolean::booleanValue);
            Map<String, Object> services = new LinkedHashMap<>();
            services.put("lifecycle", ready.get(Service.SESSION) ? "running" : "stopped");
            services.put("inventory", ready.get(Service.INVENTORY) ? "ok" : "unavailable");
            services.put("sessions", ready.get(Service.SESSION) ? "ok" : "unavailable");
            services.put("billing", ready.get(Service.BILLING) ? "ok" : "unavailable");
            services.put("ready", Boolean.toString(all));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", all ? "ok" : "unavailable");
            body.put("timestamp", clock.instant().toString());
            body.put("services", services);
            return Response.status(all ? 200 : 503).entity(body).build();
        });
    }

    @GET
    @Path("ready")
    @Produces("application/json")
    public Uni<Response> ready() {
        return probeAll().map(ready -> {
            boolean all = ready.values().stream().allMatch(Boolean::booleanValue);
            return Response.status(all ? 200 : 503)
                    .entity(Map.of("ready", all, "timestamp", clock.instant().toString()))
                    .build();
        });
    }

    /**
     * The gateway's own Micrometer registry (what {@code /q/metrics} serves) followed by the seed
     * metrics aggregated from their owners. Any {@code Accept} gets the text format (a Prometheus
     * scraper asks for OpenMetrics first and accepts text/plain 0.0.4).
     */
    @GET
    @Path("metrics")
    @Access(Access.Level.METRICS)
    public Uni<Response> metrics() {
        return seed.scrape()
                .map(owned -> Response.ok(prometheus.scrape() + owned)
                        .type("text/plain; version=0.0.4; charset=utf-8")
                        .build());
    }

    private Uni<Map<Service, Boolean>> probeAll() {
        List<Service> all = List.of(Service.values());
        List<Uni<Boolean>> probes = all.stream().map(this::probe).toList();
        return Uni.combine().all().unis(probes).with(Boolean.class, results -> {
            Map<Service, Boolean> m = new LinkedHashMap<>();
            for (int i = 0; i < all.size(); i++) {
                m.put(all.get(i), results.get(i));
            }
            return m;
        });
    }

    private Uni<Boolean> probe(Service s) {
        return upstream.call(
                        s,
                        HttpMethod.GET,
                        "/q/health/ready",
                        null,
                        Map.of(),
                        "health-" + s.name().toLowerCase(),
                        config.healthTimeout().toMillis())
                .map(r -> r.status() == 200)
                .onFailure()
                .recoverWithItem(false);
    }
}
