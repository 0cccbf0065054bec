package io.gpubroker.kit.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Strict request-body parsing that names the offending field. The REST layer's own Jackson reader
 * drops the field path from its errors, so bodies that users type by hand are read here instead:
 * unknown fields, wrong types and malformed JSON become a 400 that says which field.
 */
public final class JsonBodies {
    private static final ObjectMapper STRICT = StrictJson.apply(new ObjectMapper())
            .registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private JsonBodies() {}

    public static <T> T read(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("request body is required");
        }
        try {
            T value = STRICT.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("request body must be a JSON object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(ErrorMapper.describe(e));
        }
    }
}
