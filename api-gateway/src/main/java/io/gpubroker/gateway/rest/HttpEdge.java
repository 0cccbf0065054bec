package io.gpubroker.gateway.rest;

import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.kit.rest.HttpErrors;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What happens before JAX-RS on the gateway's HTTP router: bodies over 1 MB are refused with a
 * JSON 413 before they are read, and {@code /q/swagger-ui} serves the docs page. The router's own
 * errors (no route, bad request line, limits) get the JSON shape from service-kit's {@link HttpErrors}.
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
        router.get("/q/swagger-ui")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "text/html; charset=utf-8")
                        .end(docsPage));
    }

    static void error(RoutingContext ctx, int status, String message) {
        HttpErrors.write(ctx, status, message);
    }
}
