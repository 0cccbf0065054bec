package io.gpubroker.gateway.proxy;

import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.RequestIds;
import io.gpubroker.kit.security.InternalToken;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ConnectTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.ConnectException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Calls the domain services with Vert.x WebClient on the caller's event loop (never blocking it).
 * A refused connection is 503 (the service is down or restarting), no answer within
 * {@code broker.upstream.timeout} is 504, anything else broken on the wire is 502 — always as
 * the JSON error shape, never a stack trace.
 */
@ApplicationScoped
public class UpstreamClient {
    private static final Logger LOG = Logger.getLogger(UpstreamClient.class);

    private final WebClient client;
    private final Map<Service, String> bases = new EnumMap<>(Service.class);
    private final long timeoutMs;
    private final MeterRegistry metrics;
    /** Absent only outside production (the startup check requires it there); the services then refuse. */
    private final String internalToken = InternalToken.configured().orElse("");

    public UpstreamClient(
            Vertx vertx, GatewayConfig.Upstream config, GatewayConfig.Services services, MeterRegistry metrics) {
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setConnectTimeout((int) config.connectTimeout().toMillis())
                        .setKeepAlive(true)
                        .setMaxPoolSize(64)
                        .setFollowRedirects(false)
                        .setUserAgent("gpu-broker-api-gateway"));
        this.timeoutMs = config.timeout().toMillis();
        this.metrics = metrics;
        bases.put(Service.INVENTORY, strip(services.inventoryUrl()));
        bases.put(Service.SESSION, strip(services.sessionUrl()));
        bases.put(Service.BILLING, strip(services.billingUrl()));
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String base(Service s) {
        return bases.get(s);
    }

    /**
     * One call. {@code pathAndQuery} is already encoded; {@code headers} are the few the services
     * read (Content-Type, Idempotency-Key); the request id always travels.
     */
    public Uni<Reply> call(
            Service service,
            HttpMethod method,
            String pathAndQuery,
            Buffer body,
            Map<String, String> headers,
            String requestId) {
        return call(service, method, pathAndQuery, body, headers, requestId, timeoutMs);
    }

    public Uni<Reply> call(
            Service service,
            HttpMethod method,
            String pathAndQuery,
            Buffer body,
            Map<String, String> headers,
            String requestId,
            long timeout) {
        HttpRequest<Buffer> req =
                client.requestAbs(method, bases.get(service) + pathAndQuery).timeout(timeout);
        req.putHeader(RequestIds.HEADER, requestId);
        req.putHeader("Accept", "application/json");
        headers.forEach((k, v) -> {
            if (v != null) {
                req.putHeader(k, v);
            }
        });
        // last, so no forwarded header can replace it
        req.putHeader(InternalToken.HEADER, internalToken);
        var future = body == null ? req.send() : req.sendBuffer(body);
        return Uni.createFrom()
                .completionStage(future.toCompletionStage())
                .map(r -> new Reply(r.statusCode(), r.getHeader("Content-Type"), r.getHeader("Retry-After"), r.body()))
                .onFailure()
                .transform(e -> unreachable(service, method, pathAndQuery, e));
    }

    private ApiException unreachable(Service service, HttpMethod method, String path, Throwable e) {
        metrics.counter("gateway_upstream_failures_total", "service", service.label())
                .increment();
        if (e instanceof TimeoutException) {
            LOG.warnf("%s %s %s: no answer within the timeout", service.label(), method, path);
            return new ApiException(504, service.label() + " did not answer in time");
        }
        if (e instanceof ConnectException || e instanceof ConnectTimeoutException) {
            LOG.warnf("%s %s %s: cannot connect (%s)", service.label(), method, path, e.getMessage());
            return new ApiException(503, service.label() + " unavailable");
        }
        LOG.warnf("%s %s %s failed: %s", service.label(), method, path, e.toString());
        return new ApiException(502, service.label() + " answered badly");
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
