package io.gpubroker.gateway.rest;

import io.gpubroker.gateway.auth.Authenticator;
import io.gpubroker.gateway.proxy.Service;
import io.gpubroker.gateway.proxy.StreamingProxy;
import io.gpubroker.kit.rest.HttpErrors;
import io.gpubroker.kit.rest.Ids;
import io.gpubroker.kit.rest.InputFilter;
import io.gpubroker.kit.rest.RequestIds;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Offers, templates and offer health: read-only, any authenticated caller, streamed to
 * inventory-service by {@link StreamingProxy}. These are the busiest routes, so they are Vert.x
 * routes on the event loop, ahead of JAX-RS: the same input checks as {@code InputFilter}, the same
 * authentication and rate limit as the JAX-RS routes ({@link Authenticator}), then the proxy.
 */
@ApplicationScoped
public class InventoryRoutes {
    private static final Logger LOG = Logger.getLogger(InventoryRoutes.class);

    /** The routes served here, in the OpenAPI document's notation. */
    public static final List<String> ROUTES = List.of(
            "/inventory",
            "/inventory/{id}",
            "/inventory/{id}/compatible-templates",
            "/templates",
            "/templates/{hash_id}",
            "/offer-health");

    private final Authenticator authenticator;
    private final StreamingProxy proxy;

    public InventoryRoutes(Authenticator authenticator, StreamingProxy proxy) {
        this.authenticator = authenticator;
        this.proxy = proxy;
    }

    void routes(@Observes Router router) {
        for (String route : ROUTES) {
            String vertxPath = StreamingProxy.PREFIX + route.replaceAll("\\{([a-z_]+)}", ":$1");
            // after HttpErrors and HttpEdge (-20 000, -10 000), before JAX-RS
            router.get(vertxPath).order(-1_000).handler(ctx -> handle(ctx, Service.INVENTORY));
        }
    }

    private void handle(RoutingContext ctx, Service service) {
        HttpServerRequest req = ctx.request();
        // the id every answer and the service see; HttpErrors reads the same header
        req.headers().set(RequestIds.HEADER, RequestIds.sanitize(req.getHeader(RequestIds.HEADER)));
        String problem;
        try {
            problem = InputFilter.problem(ctx.pathParams().entrySet(), "path parameter", 256);
            if (problem == null) {
                problem = InputFilter.problem(ctx.queryParams(), "query parameter", Ids.MAX_PARAM);
            }
        } catch (IllegalArgumentException e) {
            problem = "malformed percent-encoding in the request URI";
        }
        if (problem != null) {
            HttpErrors.write(ctx, 400, problem);
            return;
        }
        String header = req.getHeader("Authorization");
        // a key not in the cache is looked up in the database: hold the body until the proxy pipes it
        req.pause();
        authenticator
                .principal(header)
                .subscribe()
                .with(
                        p -> {
                            Authenticator.Refusal no = authenticator.admit(p, header != null, null);
                            if (no != null) {
                                req.resume();
                                no.headers().forEach(ctx.response()::putHeader);
                                HttpErrors.write(ctx, no.status(), no.message());
                                return;
                            }
                            proxy.forward(service, req);
                        },
                        e -> {
                            req.resume();
                            LOG.errorf(e, "authenticating %s %s failed", req.method(), req.path());
                            HttpErrors.write(ctx, 500, "internal error");
                        });
    }
}
