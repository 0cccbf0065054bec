package io.gpubroker.kit.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves a service as {@code {"error": "...", "request_id": "..."}} with the right
 * status: bad JSON and bad fields are 400 naming the field, unknown paths 404, and only a real
 * bug is a 500 (logged with its stack, never sent).
 */
public class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    public static Response body(int status, String message, String requestId, Map<String, Object> extra) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("error", message);
        b.putAll(extra);
        b.put("request_id", requestId);
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(b)
                .header(RequestIds.HEADER, requestId).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e, ContainerRequestContext ctx) {
        return body(e.status(), e.getMessage(), RequestIds.current(ctx), e.extra());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, ContainerRequestContext ctx) {
        String msg;
        if (e instanceof UnrecognizedPropertyException u) {
            msg = "unknown field '" + u.getPropertyName() + "'";
        } else if (e instanceof InvalidFormatException f && !f.getPath().isEmpty()) {
            msg = "invalid value for '" + fieldOf(f) + "'";
        } else if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            msg = "invalid value for '" + fieldOf(m) + "'";
        } else {
            msg = "malformed JSON body";
        }
        return body(400, msg, RequestIds.current(ctx), Map.of());
    }

    private static String fieldOf(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        e.getPath().forEach(r -> {
            if (r.getFieldName() != null) {
                sb.append(sb.length() > 0 ? "." : "").append(r.getFieldName());
            } else {
                sb.append('[').append(r.getIndex()).append(']');
            }
        });
        return sb.toString();
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, ContainerRequestContext ctx) {
        String msg = e.getConstraintViolations().stream().findFirst()
                .map(v -> {
                    String path = v.getPropertyPath().toString();
                    String field = path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : path;
                    return field + ": " + v.getMessage();
                }).orElse("invalid request");
        return body(400, msg, RequestIds.current(ctx), Map.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext ctx) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String msg = switch (status) {
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 406 -> "not acceptable";
            case 415 -> "unsupported media type: use application/json";
            default -> e.getMessage() == null ? "request failed" : e.getMessage();
        };
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        return body(status, msg, RequestIds.current(ctx), Map.of());
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e, ContainerRequestContext ctx) {
        LOG.error("unexpected failure", e);
        return body(500, "internal error", RequestIds.current(ctx), Map.of());
    }
}
