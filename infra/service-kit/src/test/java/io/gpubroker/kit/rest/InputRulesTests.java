package io.gpubroker.kit.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.core.MultivaluedHashMap;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared input rules: id charset and length, control characters, strict JSON scalars and NUL-free strings. */
class InputRulesTests {

    record Body(
            @JsonProperty("name") String name,
            @JsonProperty("hours") Integer hours,
            @JsonProperty("count") int count,
            @JsonProperty("limit") BigDecimal limit,
            @JsonProperty("retry") Boolean retry,
            @JsonProperty("tags") List<String> tags) {}

    static ApiException refused(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    @Test
    void idsTheBrokerMintsPassAndAnythingElseIsA400NamingTheParameter() {
        for (String ok : List.of("sess-0123456789abcdef", "team-a.b_c", "a", "vastai-123:x@y", "x".repeat(128))) {
            assertThat(Ids.require(ok, "id")).isEqualTo(ok);
        }
        assertThat(Ids.require(null, "id")).isNull();
        for (String bad : List.of("", "a\u0000", "a b", "../x", "a/b", "é", "{x}", "x".repeat(129), "a\nb", "%00")) {
            ApiException e = refused(() -> Ids.require(bad, "session_id"));
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("'session_id'");
        }
    }

    @Test
    void controlCharactersAndLoneSurrogatesAreFoundButUnicodeTextIsNot() {
        for (String bad :
                List.of("\u0000", "a\u0001", "\u001f", "\u007f", "x\u0085", "\ud800", "a\udc00b", "\ud800x")) {
            assertThat(Ids.hasControl(bad)).as(bad).isTrue();
        }
        for (String ok : List.of("RTX 4090", "São Paulo", "東京", "emoji \ud83d\ude80", "")) {
            assertThat(Ids.hasControl(ok)).as(ok).isFalse();
        }
        assertThat(refused(() -> Ids.text("a\u0000", "location", 100)).getMessage())
                .contains("'location'")
                .contains("control");
        assertThat(refused(() -> Ids.text("x".repeat(101), "location", 100)).getMessage())
                .contains("'location'")
                .contains("100");
        assertThat(Ids.text("US-West", "location", 100)).isEqualTo("US-West");
    }

    @Test
    void theFilterNamesTheParameterWithTheProblem() {
        MultivaluedHashMap<String, String> q = new MultivaluedHashMap<>();
        q.add("provider", "vastai");
        assertThat(InputFilter.problem(q, "query parameter", 1024)).isNull();
        q.add("session_id", "ab\u0000");
        assertThat(InputFilter.problem(q, "query parameter", 1024))
                .contains("'session_id'")
                .contains("control");
        MultivaluedHashMap<String, String> p = new MultivaluedHashMap<>(Map.of("id", "x".repeat(257)));
        assertThat(InputFilter.problem(p, "path parameter", 256))
                .contains("'id'")
                .contains("256");
    }

    @Test
    void jsonNumbersAndBooleansMustBeTypedAsSuch() {
        Body ok = JsonBodies.read(
                "{\"name\":\"n\",\"hours\":2,\"count\":3,\"limit\":250.50,\"retry\":true,\"tags\":[\"a\"]}",
                Body.class);
        assertThat(ok.hours()).isEqualTo(2);
        assertThat(ok.limit()).isEqualByComparingTo("250.50");
        Map<String, String> wrong = Map.of(
                "{\"hours\":\"1\"}", "hours",
                "{\"count\":\"1\"}", "count",
                "{\"hours\":\"\"}", "hours",
                "{\"hours\":1.5}", "hours",
                "{\"limit\":\"100\"}", "limit",
                "{\"retry\":\"true\"}", "retry",
                "{\"retry\":1}", "retry",
                "{\"name\":\"a\\u0000b\"}", "name",
                "{\"tags\":[\"x\\u0000\"]}", "tags");
        wrong.forEach((json, field) -> {
            ApiException e = refused(() -> JsonBodies.read(json, Body.class));
            assertThat(e.status()).as(json).isEqualTo(400);
            assertThat(e.getMessage()).as(json).contains("'" + field);
        });
    }

    @Test
    void theQuarkusMapperGetsTheSameRules() {
        var mapper = StrictJson.apply(new com.fasterxml.jackson.databind.ObjectMapper());
        assertThatThrownBy(() -> mapper.readValue("{\"hours\":\"7\"}", Body.class))
                .isInstanceOf(com.fasterxml.jackson.databind.exc.MismatchedInputException.class);
        assertThatThrownBy(() -> mapper.readValue("{\"name\":\"\\u0000\"}", Body.class))
                .isInstanceOf(com.fasterxml.jackson.databind.exc.MismatchedInputException.class);
        assertThat(ErrorMapper.describe(org.assertj.core.api.Assertions.catchThrowable(
                        () -> mapper.readValue("{\"limit\":\"1\"}", Body.class))))
                .isEqualTo("invalid value for 'limit'");
    }
}
