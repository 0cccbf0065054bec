package io.gpubroker.kit.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Every way a request can fail leaves as {@code {"error": "...", "request_id": "..."}} with the
 * right status: ErrorMapper for what JAX-RS sees, HttpErrors for what the router answers itself.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class ErrorShapeTests {
    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @TestHTTPResource("/")
    URL root;

    @Test
    void anApiExceptionKeepsItsStatusExtraFieldsAndTheCallersRequestId() {
        given().header(RequestIds.HEADER, "trace-42")
                .get("/probe/conflict")
                .then()
                .statusCode(409)
                .contentType(ContentType.JSON)
                .header(RequestIds.HEADER, "trace-42")
                .body("error", equalTo("session s-1 is already stopping"))
                .body("session_id", equalTo("s-1"))
                .body("request_id", equalTo("trace-42"));
    }

    @Test
    void anInsaneRequestIdIsReplacedByAFreshOne() {
        given().header(RequestIds.HEADER, "not an id; <script>")
                .get("/probe/conflict")
                .then()
                .statusCode(409)
                .body("request_id", matchesPattern(UUID_PATTERN))
                .header(RequestIds.HEADER, matchesPattern(UUID_PATTERN));
    }

    @Test
    void aBugIsA500WithoutItsDetails() {
        given().get("/probe/bug")
                .then()
                .statusCode(500)
                .body("error", equalTo("internal error"))
                .body("request_id", matchesPattern(UUID_PATTERN))
                .body(not(containsString("secret")));
    }

    @Test
    void badJsonBodiesAre400sNamingTheField() {
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"count\":1,\"colour\":\"red\"}")
                .post("/probe/orders")
                .then()
                .statusCode(400)
                .body("error", equalTo("unknown field 'colour'"));
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"count\":\"3\"}")
                .post("/probe/orders")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid value for 'count'"));
        given().contentType(ContentType.JSON)
                .body("{\"name\":")
                .post("/probe/orders")
                .then()
                .statusCode(400)
                .body("error", equalTo("malformed JSON body"))
                .body("request_id", matchesPattern(UUID_PATTERN));
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"count\":2}")
                .post("/probe/orders")
                .then()
                .statusCode(200)
                .body("name", equalTo("a"))
                .body("count", equalTo(2));
    }

    @Test
    void aConstraintViolationIsA400NamingTheParameter() {
        given().queryParam("size", 0)
                .get("/probe/page")
                .then()
                .statusCode(400)
                .body("error", startsWith("size: "))
                .body("request_id", matchesPattern(UUID_PATTERN));
    }

    @Test
    void unknownPathsWrongMethodsAndMediaTypesHaveTheErrorShape() {
        given().get("/no-such-path")
                .then()
                .statusCode(404)
                .contentType(ContentType.JSON)
                .body("error", equalTo("not found"))
                .body("request_id", matchesPattern(UUID_PATTERN));
        given().delete("/probe/conflict").then().statusCode(405).body("error", equalTo("method not allowed"));
        given().contentType(ContentType.TEXT)
                .body("name=a")
                .post("/probe/orders")
                .then()
                .statusCode(415)
                .body("error", equalTo("unsupported media type: use application/json"));
    }

    @Test
    void anOverLongUriIsA414() {
        given().get("/probe/conflict?q=" + "a".repeat(HttpErrors.MAX_URI))
                .then()
                .statusCode(414)
                .body("error", equalTo("request URI too long: at most " + HttpErrors.MAX_URI + " characters"));
    }

    @Test
    void overLargeHeadersAreA431() {
        given().header("X-Filler", "b".repeat(HttpErrors.MAX_HEADERS))
                .get("/probe/conflict")
                .then()
                .statusCode(431)
                .body("error", equalTo("request headers too large: at most " + HttpErrors.MAX_HEADERS + " bytes"));
    }

    @Test
    void aRequestTargetThatIsNotAUriIsA400WithABody() throws Exception {
        String response;
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /probe/a{b}|c HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(response)
                .startsWith("HTTP/1.1 400")
                .contains("application/json")
                .contains("\"error\":\"invalid request URI")
                .contains("\"request_id\":");
    }

    @Test
    void matrixParametersAndEncodedSlashesInAPathParameterAreA400() throws Exception {
        // a fuzzer's path (seed 12814371537414) that once answered 500
        for (String path : new String[] {
            "/probe/items/RAJx%17cDziiB%3C%2ClMy%2FzgMZ%25%7E%19s1T;jsessionid=1",
            "/probe/items/abc%2Fdef;jsessionid=1",
            "/probe/items/a%25%7E;x=%ZZ"
        }) {
            String response = raw(path);
            assertThat(response)
                    .as(path)
                    .doesNotStartWith("HTTP/1.1 5")
                    .contains("application/json")
                    .contains("\"request_id\":");
        }
    }

    private String raw(String path) throws Exception {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
