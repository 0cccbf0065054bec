package io.gpubroker.gateway.proxy;

import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.RequestIds;
import io.gpubroker.kit.security.InternalToken;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.stork.api.NoServiceInstanceFoundException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Calls the domain services with Vert.x WebClient on the caller's event loop (never blocking it), on
 * the replica {@link Replicas} picks; for calls whose answer the gateway reads or rewrites (the
 * pass-through routes stream through {@link StreamingProxy} instead).
 * A refused connection is 503 (the service is down or restarting), no answer within
 * {@code broker.upstream.timeout} is 504, anything else broken on the wire is 502 — always as
 * the JSON error shape, never a stack trace.
 */
@ApplicationScoped
public class UpstreamClient {
    private static final Logger LOG = Logger.getLogger(UpstreamClient.class);

    private final WebClient client;
    private final Replicas replicas;
    private final long timeoutMs;
    private final MeterRegistry metrics;
    /** Absent only outside production (the startup check requires it there); the services then refuse. */
    private final String internalToken = InternalToken.configured().orElse("");

    public UpstreamClient(Vertx vertx, GatewayConfig.Upstream config, Replicas replicas, MeterRegistry metrics) {
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setConnectTimeout((int) config.connectTimeout().toMillis())
                        .setKeepAlive(true)
                        .setMaxPoolSize(config.maxConnections())
                        .setFollowRedirects(false)
                        .setUserAgent("gpu-broker-api-gateway"));
        this.replicas = replicas;
        this.timeoutMs = config.timeout().toMillis();
        this.metrics = metrics;
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

    /** One call on one replica of {@code service} (another one when the first refuses the connection). */
    public Uni<Reply> call(
            Service service,
            HttpMethod method,
            String pathAndQuery,
            Buffer body,
            Map<String, String> headers,
            String requestId,
            long timeout) {
        var future = replicas.onReplica(service, replica -> {
            HttpRequest<Buffer> req = client.request(method, replica.getPort(), replica.getHost(), pathAndQuery)
                    .ssl(replica.isSecure())
                    .timeout(timeout);
            req.putHeader(RequestIds.HEADER, requestId);
            req.putHeader("Accept", "application/json");
            headers.forEach((k, v) -> {
                if (v != null) {
                    req.putHeader(k, v);
                }
            });
            // last, so no forwarded header can replace it
            req.putHeader(InternalToken.HEADER, internalToken);
            return (body == null ? req.send() : req.sendBuffer(body)).andThen(ar -> {
                if (ar.succeeded()) {
                    replica.recordReply();
                    replica.recordEnd(null);
                } else if (!Replicas.refused(ar.cause())) {
                    replica.recordEnd(ar.cause());
                }
            });
        });
        return Uni.createFrom()
                .completionStage(future.toCompletionStage())
                .map(r -> new Reply(r.statusCode(), r.getHeader("Content-Type"), r.getHeader("Retry-After"), r.body()))
                .onFailure()
                .transform(e -> unreachable(service, method, pathAndQuery, e));
    }

    /** The public answer to a call that got no answer: 504 no answer in time, 503 nobody listening, else 502. */
    public ApiException unreachable(Service service, HttpMethod method, String path, Throwable e) {
        metrics.counter("gateway_upstream_failures_total", "service", service.label())
                .increment();
        if (e instanceof TimeoutException) {
            LOG.warnf("%s %s %s: no answer within the timeout", service.label(), method, path);
            return new ApiException(504, service.label() + " did not answer in time");
        }
        if (Replicas.refused(e) || e instanceof NoServiceInstanceFoundException) {
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
