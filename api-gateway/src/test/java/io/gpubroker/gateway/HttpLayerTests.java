package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP layer answers before JAX-RS runs, over a raw socket (java.net.http refuses to send
 * most of these): a path JAX-RS cannot parse, an over-long URI, an over-large header block, NUL and
 * control characters in ids and queries all come back as a 4xx with {"error","request_id"}.
 */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class HttpLayerTests {

    record Raw(int status, String head, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    static Raw send(String requestLine, String... headers) throws IOException {
        return sendBody(requestLine, "", headers);
    }

    static Raw sendBody(String requestLine, String body, String... headers) throws IOException {
        StringBuilder req = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        req.append("Authorization: Bearer ").append(GatewayTestProfile.ADMIN).append("\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("\r\n").append(body);
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String answer = split < 0 ? "" : text.substring(split + 4);
            return new Raw(Integer.parseInt(head.split(" ", 3)[1]), head, answer);
        }
    }

    static void assertJsonError(Raw r, int status, String... mentions) {
        assertThat(r.status()).as(r.head() + "\n" + r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(r.head()).startsWith("application/json");
        JsonObject j = r.json();
        assertThat(j.getString("error")).isNotBlank();
        assertThat(j.getString("request_id")).isNotBlank().isEqualTo(r.header("X-Request-ID"));
        for (String m : mentions) {
            assertThat(j.getString("error").toLowerCase(Locale.ROOT)).contains(m);
        }
    }

    @Test
    void aPathJaxRsCannotParseIsA400WithTheErrorBody() throws IOException {
        assertJsonError(send("GET /api/v1/sessions/{x} HTTP/1.1"), 400);
        assertJsonError(send("GET /api/v1/sessions/a}b HTTP/1.1"), 400);
        assertJsonError(send("GET /api/v1/costs?session_id=%zz HTTP/1.1"), 400);
    }

    @Test
    void aNulOrControlCharacterInAnIdOrQueryIsA400NamingIt() throws IOException {
        for (String path : new String[] {
            "/api/v1/sessions/%00",
            "/api/v1/sessions/%00/done",
            "/api/v1/sessions/%00/extend",
            "/api/v1/sessions/%00/diagnostics",
            "/api/v1/consumers/%00/keys",
            "/api/v1/consumers/%00/budget"
        }) {
            String method =
                    path.endsWith("/done") || path.endsWith("/extend") || path.endsWith("/keys") ? "POST" : "GET";
            Raw r = send(method + " " + path + " HTTP/1.1", "Content-Length: 0");
            assertThat(r.status()).as(path).isEqualTo(400);
            assertJsonError(r, 400, "control characters");
        }
        assertJsonError(send("DELETE /api/v1/sessions/%00 HTTP/1.1"), 400, "control characters");
        assertJsonError(send("GET /api/v1/costs?session_id=%00 HTTP/1.1"), 400, "'session_id'");
        assertJsonError(send("GET /api/v1/inventory?gpu_type=RTX%0A4090 HTTP/1.1"), 400, "'gpu_type'");
        assertJsonError(send("GET /api/v1/sessions/a%20b HTTP/1.1"), 400, "'session_id'");
    }

    @Test
    void anOverLongUriIs414AndAnOverLargeHeaderBlockIs431WithTheErrorBody() throws IOException {
        assertJsonError(
                send("GET /api/v1/inventory?gpu_type=" + "x".repeat(20_000) + " HTTP/1.1"), 414, "uri too long");
        assertJsonError(send("GET /api/v1/" + "a".repeat(100_000) + " HTTP/1.1"), 414, "uri too long");
        assertJsonError(
                send("GET /api/v1/offer-health HTTP/1.1", "X-Filler: " + "y".repeat(40_000)), 431, "headers too large");
        Raw ok = send("GET /api/v1/offer-health HTTP/1.1", "X-Filler: " + "y".repeat(4_000));
        assertThat(ok.status()).as("a request under the limits is served").isEqualTo(200);
    }

    @Test
    void aNulInsideAJsonStringIsA400NamingTheField() throws IOException {
        String body = "{\"consumer_id\":\"nul-team\",\"name\":\"a\\u0000b\"}";
        Raw r = sendBody(
                "POST /api/v1/consumers HTTP/1.1",
                body,
                "Content-Type: application/json",
                "Content-Length: " + body.length());
        assertJsonError(r, 400, "'name'");
    }
}
