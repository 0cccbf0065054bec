package io.gpubroker.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gpubroker.gateway.auth.Access;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The contract documents: the hand-written OpenAPI of the public API at {@code /openapi} (YAML,
 * or JSON with {@code ?format=json}) and the AsyncAPI of the topics (from the contracts jar) at
 * {@code /asyncapi.yaml}. The Quarkus OpenAPI extension is not in the reachable repository, so the
 * document is contract-first and served as a file; {@code /q/swagger-ui} renders it (see HttpEdge).
 */
@Path("/")
@Access(Access.Level.PUBLIC)
public class DocsResource {
    private final String openapi = read("META-INF/openapi.yaml");
    private final String openapiJson;
    private final String asyncapi = read("asyncapi.yaml");

    public DocsResource(ObjectMapper json) {
        try {
            openapiJson = json.writeValueAsString(new YAMLMapper().readTree(openapi));
        } catch (IOException e) {
            throw new UncheckedIOException("META-INF/openapi.yaml is not valid YAML", e);
        }
    }

    @GET
    @Path("openapi")
    public Response openapi(@QueryParam("format") String format) {
        if ("json".equalsIgnoreCase(format)) {
            return Response.ok(openapiJson, "application/json").build();
        }
        return Response.ok(openapi, "application/yaml;charset=utf-8").build();
    }

    @GET
    @Path("asyncapi.yaml")
    public Response asyncapi() {
        return Response.ok(asyncapi, "application/yaml;charset=utf-8").build();
    }

    static String read(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
