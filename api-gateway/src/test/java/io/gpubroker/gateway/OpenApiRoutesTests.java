package io.gpubroker.gateway;

import static io.restassured.RestAssured.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.gateway.rest.DocsResource;
import io.gpubroker.gateway.rest.InventoryRoutes;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.ws.rs.HttpMethod;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the gateway serves ({@code /openapi}) against the JAX-RS routes it really
 * has (every resource class of the gateway, by reflection): a route missing from the document, or
 * a documented route that does not exist, fails. Routes compare as {@code METHOD /path} with path
 * parameter names ignored ({@code {id}} in code may be {@code {consumer_id}} in the document).
 * The streamed routes ({@link InventoryRoutes}, Vert.x routes ahead of JAX-RS) count as routes too.
 */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class OpenApiRoutesTests {
    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @Test
    void theServedDocumentNamesExactlyTheRoutesTheGatewayHas() throws Exception {
        Set<String> documented = documentedRoutes();
        Set<String> real = jaxRsRoutes();
        InventoryRoutes.ROUTES.forEach(r -> real.add("GET " + normalise("/api/v1" + r)));

        assertThat(real).as("JAX-RS routes found by reflection").isNotEmpty();
        Set<String> undocumented = new TreeSet<>(real);
        undocumented.removeAll(documented);
        Set<String> phantom = new TreeSet<>(documented);
        phantom.removeAll(real);
        assertThat(undocumented)
                .as("routes missing from the served OpenAPI document")
                .isEmpty();
        assertThat(phantom).as("documented routes the gateway does not have").isEmpty();
    }

    /** {@code METHOD /path} for every operation under {@code paths} of {@code GET /openapi?format=json}. */
    static Set<String> documentedRoutes() {
        Response doc = get("/openapi?format=json");
        assertThat(doc.statusCode()).isEqualTo(200);
        Map<String, Map<String, Object>> paths = doc.path("paths");
        Set<String> out = new TreeSet<>();
        paths.forEach((path, item) -> item.keySet().stream()
                .filter(OPERATIONS::contains)
                .forEach(op -> out.add(op.toUpperCase(Locale.ROOT) + " " + normalise(path))));
        return out;
    }

    /** {@code METHOD /path} for every resource method of every {@code @Path} class of the gateway. */
    static Set<String> jaxRsRoutes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(DocsResource.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file)
                        .toString()
                        .replace(file.getFileSystem().getSeparator(), ".");
                Class<?> type = Class.forName(
                        name.substring(0, name.length() - ".class".length()),
                        false,
                        DocsResource.class.getClassLoader());
                jakarta.ws.rs.Path root = type.getAnnotation(jakarta.ws.rs.Path.class);
                if (root == null) {
                    continue;
                }
                for (Method m : type.getMethods()) {
                    String verb = httpMethod(m);
                    jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
                    if (verb == null) {
                        assertThat(sub)
                                .as("sub-resource locator " + m + " (not supported by this check)")
                                .isNull();
                        continue;
                    }
                    out.add(verb + " " + normalise(root.value() + "/" + (sub == null ? "" : sub.value())));
                }
            }
        }
        return out;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    /** One slash between segments, none at the end, path parameters as {@code {}}. */
    static String normalise(String path) {
        String p = ("/" + path).replaceAll("/+", "/").replaceAll("\\{[^}]*}", "{}");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
