package io.gpubroker.kit.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
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
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(b)
                .header(RequestIds.HEADER, requestId)
                .build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e, ContainerRequestContext ctx) {
        return body(e.status(), e.getMessage(), RequestIds.current(ctx), e.extra());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, ContainerRequestContext ctx) {
        return body(400, describe(e), RequestIds.current(ctx), Map.of());
    }

    /** Names the offending field when Jackson knows it (the cause chain may wrap the useful part). */
    public static String describe(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnrecognizedPropertyException u) {
                return "unknown field '" + u.getPropertyName() + "'";
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof com.fasterxml.jackson.databind.JsonMappingException m
                    && !m.getPath().isEmpty()) {
                return "invalid value for '" + fieldOf(m) + "'";
            }
        }
        return "malformed JSON body";
    }

    // Quarkus ships body-less mappers for these exact types; exact types win, so name each one
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, ContainerRequestContext ctx) {
        return json(e, ctx);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e, ContainerRequestContext ctx) {
        return json(e, ctx);
    }

    @ServerExceptionMapper
    public Response unrecognized(UnrecognizedPropertyException e, ContainerRequestContext ctx) {
        return json(e, ctx);
    }

    @ServerExceptionMapper
    public Response parse(com.fasterxml.jackson.core.JsonParseException e, ContainerRequestContext ctx) {
        return json(e, ctx);
    }

    @ServerExceptionMapper
    public Response mapping(com.fasterxml.jackson.databind.JsonMappingException e, ContainerRequestContext ctx) {
        return json(e, ctx);
    }

    private static String fieldOf(com.fasterxml.jackson.databind.JsonMappingException e) {
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
        String msg = e.getConstraintViolations().stream()
                .findFirst()
                .map(v -> {
                    String path = v.getPropertyPath().toString();
                    String field = path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : path;
                    return field + ": " + v.getMessage();
                })
                .orElse("invalid request");
        return body(400, msg, RequestIds.current(ctx), Map.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext ctx) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException) {
            return body(400, describe(e.getCause()), RequestIds.current(ctx), Map.of());
        }
        String msg = switch (status) {
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 406 -> "not acceptable";
            case 415 -> "unsupported media type: use application/json";
            case 400 ->
                e.getMessage() == null || e.getMessage().startsWith("HTTP 400") ? "bad request" : e.getMessage();
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
