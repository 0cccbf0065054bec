package io.gpubroker.gateway.rest;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.kit.rest.RequestIds;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What happens before and around JAX-RS on the HTTP router: bodies over 1 MB are refused with a
 * JSON 413 before they are read, {@code /q/swagger-ui} serves the docs page, and any path nobody
 * handles (or any failure the router itself raises) answers the JSON error shape, never HTML or
 * a stack trace.
 */
@ApplicationScoped
public class HttpEdge {
    private final String docsPage = DocsResource.read("META-INF/resources/docs/index.html");

    void routes(@Observes Router router) {
        router.route().order(-10_000).handler(ctx -> {
            String len = ctx.request().getHeader("Content-Length");
            if (len != null) {
                try {
                    if (Long.parseLong(len.trim()) > Forwarder.MAX_BODY) {
                        ctx.request().pause();
                        ctx.response().putHeader("Connection", "close");
                        error(ctx, 413, "request body larger than 1 MB");
                        return;
                    }
                } catch (NumberFormatException e) {
                    error(ctx, 400, "invalid Content-Length");
                    return;
                }
            }
            ctx.next();
        });
        // Vert.x matches "/q/swagger-ui" with and without the trailing slash
        router.get("/q/swagger-ui").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8").end(docsPage));
        router.errorHandler(413, ctx -> error(ctx, 413, "request body larger than 1 MB"));
        router.errorHandler(404, ctx -> error(ctx, 404, "not found"));
        router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed"));
        router.errorHandler(500, ctx -> error(ctx, 500, "internal error"));
    }

    static void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        String rid = RequestIds.sanitize(ctx.request().getHeader(RequestIds.HEADER));
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader(RequestIds.HEADER, rid)
                .end(new JsonObject(Map.of("error", message, "request_id", rid)).encode());
    }
}
