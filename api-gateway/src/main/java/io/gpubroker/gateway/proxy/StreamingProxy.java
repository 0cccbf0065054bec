package io.gpubroker.gateway.proxy;

import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.RequestIds;
import io.gpubroker.kit.security.InternalToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;

/**
 * The pass-through routes, proxied by Vert.x's reverse proxy ({@code vertx-http-proxy}) on the
 * event loop that received the request: pooled keep-alive connections to each replica, request and
 * response bodies piped through as they arrive, nothing parsed. What the gateway adds is in the
 * interceptor: only the headers the services read travel (never the caller's key), the internal token
 * and request id are set, the path loses its {@code /api/v1} prefix; a failed call becomes the
 * error shape (503 nobody listening, 504 no answer in time, 502 otherwise), and so does a service
 * error answer that is not JSON.
 */
@ApplicationScoped
public class StreamingProxy {
    /** The public prefix the services do not have. */
    public static final String PREFIX = "/api/v1";

    private final HttpClient client;
    private final Map<Service, HttpProxy> proxies = new EnumMap<>(Service.class);
    private final Replicas replicas;
    private final UpstreamClient upstream;
    private final long timeoutMs;
    /** Absent only outside production (the startup check requires it there); the services then refuse. */
    private final String internalToken = InternalToken.configured().orElse("");

    public StreamingProxy(Vertx vertx, GatewayConfig.Upstream config, Replicas replicas, UpstreamClient upstream) {
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(config.maxConnections())
                .setDecompressionSupported(false));
        this.replicas = replicas;
        this.upstream = upstream;
        this.timeoutMs = config.timeout().toMillis();
        for (Service s : Service.values()) {
            proxies.put(
                    s, HttpProxy.reverseProxy(client).origin(ctx -> origin(s)).addInterceptor(new Pass(s)));
        }
    }

    /**
     * Streams {@code req} to {@code service} and its answer back. The caller has authenticated it
     * and set its {@code X-Request-ID} header to the sanitised id.
     */
    public void forward(Service service, HttpServerRequest req) {
        proxies.get(service).handle(req);
    }

    /** A request to the replica Stork picks, connected (another replica when one refuses). */
    private Future<HttpClientRequest> origin(Service s) {
        return replicas.onReplica(
                s,
                replica -> client.request(new RequestOptions()
                                .setHost(replica.getHost())
                                .setPort(replica.getPort())
                                .setSsl(replica.isSecure())
                                .setIdleTimeout(timeoutMs))
                        .onSuccess(request -> request.response().onComplete(ar -> {
                            if (ar.succeeded()) {
                                replica.recordReply();
                                replica.recordEnd(null);
                            } else {
                                replica.recordEnd(ar.cause());
                            }
                        })));
    }

    /** What the gateway does to every proxied call of one service, both ways. */
    private final class Pass implements ProxyInterceptor {
        private final Service service;

        Pass(Service service) {
            this.service = service;
        }

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
            ProxyRequest out = ctx.request();
            HttpServerRequest in = out.proxiedRequest();
            String rid = in.getHeader(RequestIds.HEADER);
            String contentType = in.getHeader("Content-Type");
            String idempotencyKey = in.getHeader("Idempotency-Key");
            // only what the services read: the caller's key and cookies stay here
            out.headers().clear();
            out.putHeader(RequestIds.HEADER, rid);
            out.putHeader("Accept", "application/json");
            out.putHeader("User-Agent", "gpu-broker-api-gateway");
            if (contentType != null) {
                out.putHeader("Content-Type", contentType);
            }
            if (idempotencyKey != null) {
                out.putHeader("Idempotency-Key", idempotencyKey);
            }
            out.putHeader(InternalToken.HEADER, internalToken);
            // the path the router matched (dot segments resolved), not the raw one
            String path = HttpUtils.normalizePath(in.path()).substring(PREFIX.length());
            String query = in.query();
            out.setURI(query == null ? path : path + "?" + query);
            return ctx.sendRequest().recover(e -> {
                ApiException failed = upstream.unreachable(service, in.method(), path, e);
                return Future.succeededFuture(
                        error(out.release().response(), failed.status(), failed.getMessage(), rid));
            });
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext ctx) {
            ProxyResponse r = ctx.response();
            String rid = ctx.request().proxiedRequest().getHeader(RequestIds.HEADER);
            int status = r.getStatusCode();
            if (status >= 400 && !json(r.headers().get("Content-Type"))) {
                String message = switch (status) {
                    case 404 -> "not found";
                    case 405 -> "method not allowed";
                    default -> "upstream service answered " + status;
                };
                error(r.release(), status, message, rid);
            }
            r.putHeader(RequestIds.HEADER, rid);
            return ctx.sendResponse();
        }
    }

    private static boolean json(String contentType) {
        return contentType != null && contentType.toLowerCase().contains("json");
    }

    private static ProxyResponse error(ProxyResponse r, int status, String message, String rid) {
        Buffer body = Buffer.buffer(
                new JsonObject().put("error", message).put("request_id", rid).encode());
        return r.setStatusCode(status)
                .setStatusMessage(null)
                .putHeader("Content-Type", "application/json")
                .putHeader(RequestIds.HEADER, rid)
                .setBody(Body.body(body));
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
