package io.gpubroker.kit.rest;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The error shape below JAX-RS, on the HTTP router of every service: what the router or Quarkus
 * answers on its own (a path JAX-RS cannot parse, a body over the limit, no route, a failure in a
 * non-REST route) leaves as {@code {"error","request_id"}} instead of an empty body or an HTML page.
 *
 * <p>A request URI {@link URI} cannot parse is a 400 here (Quarkus's own check, which sends no body,
 * is switched off by {@link UriCheckSwitch}). Over-long request lines and header blocks are refused here, as JSON 414/431, at
 * {@link #MAX_URI} and {@link #MAX_HEADERS}. The transport's own limits
 * ({@code quarkus.http.limits.max-initial-line-length} / {@code max-header-size}, raised far above
 * these in this module's {@code microprofile-config.properties}) still apply beyond that: a request
 * the HTTP decoder cannot read at all is answered by Vert.x, which Quarkus gives no hook for.
 */
@ApplicationScoped
public class HttpErrors {
    private static final Logger LOG = Logger.getLogger(HttpErrors.class);
    /** The longest request target (path and query) a service reads. */
    public static final int MAX_URI = 8 * 1024;
    /** The most header bytes (names, values, separators) a service reads. */
    public static final int MAX_HEADERS = 32 * 1024;

    void routes(@Observes Router router) {
        router.route().order(-20_000).handler(ctx -> {
            if (ctx.request().uri().length() > MAX_URI) {
                close(ctx);
                write(ctx, 414, "request URI too long: at most " + MAX_URI + " characters");
            } else if (!parseable(ctx.request().uri())) {
                write(
                        ctx,
                        400,
                        "invalid request URI: characters such as { } | \\ ^ ` < > \" and spaces must be percent-encoded");
            } else if (headerBytes(ctx.request().headers()) > MAX_HEADERS) {
                close(ctx);
                write(ctx, 431, "request headers too large: at most " + MAX_HEADERS + " bytes");
            } else {
                ctx.next();
            }
        });
        // failure handlers run in route order: this one answers before Quarkus's default, which sends no body
        router.route().order(-20_000).failureHandler(HttpErrors::failed);
        for (int status : new int[] {400, 404, 405, 406, 413, 414, 415, 431, 500, 501, 503}) {
            router.errorHandler(status, ctx -> failed(ctx));
        }
    }

    static void failed(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status = ctx.statusCode();
        if (failure instanceof HttpException h) {
            status = h.getStatusCode();
        }
        if (status < 400) {
            status = 500;
        }
        if (status >= 500) {
            LOG.errorf(
                    failure,
                    "request %s %s failed on the HTTP layer",
                    ctx.request().method(),
                    ctx.request().path());
        }
        if (status == 413) {
            close(ctx);
        }
        write(ctx, status, message(status));
    }

    static String message(int status) {
        return switch (status) {
            case 400 -> "bad request: the request line, path or headers cannot be read";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 406 -> "not acceptable";
            case 413 -> "request body too large";
            case 414 -> "request URI too long: at most " + MAX_URI + " characters";
            case 415 -> "unsupported media type: use application/json";
            case 431 -> "request headers too large: at most " + MAX_HEADERS + " bytes";
            case 501 -> "not implemented";
            case 503 -> "service unavailable";
            default -> status >= 500 ? "internal error" : "request failed";
        };
    }

    /** Writes the error shape unless something was already sent. */
    public static void write(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.response().close();
            return;
        }
        String rid = RequestIds.sanitize(ctx.request().getHeader(RequestIds.HEADER));
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader(RequestIds.HEADER, rid)
                .end(new JsonObject(Map.of("error", message, "request_id", rid)).encode());
    }

    /** A request refused before its body is read: the connection cannot be reused. */
    private static void close(RoutingContext ctx) {
        if (!ctx.response().headWritten()) {
            ctx.response().putHeader("Connection", "close");
        }
    }

    /** What Quarkus itself would check (see {@link UriCheckSwitch}): the request target parses as a URI. */
    static boolean parseable(String uri) {
        if (uri == null) {
            return false;
        }
        try {
            new URI(uri);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    static long headerBytes(MultiMap headers) {
        long n = 0;
        for (Map.Entry<String, String> h : headers) {
            n += h.getKey().length() + h.getValue().length() + 4;
        }
        return n;
    }
}
