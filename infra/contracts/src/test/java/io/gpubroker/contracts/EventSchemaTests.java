package io.gpubroker.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every event record against its JSON Schema ({@code schemas/<Type>.json}): the records are found
 * on the classpath (every record implementing {@link BrokerEvent}), each gets a representative
 * instance with every field filled, and its JSON must validate and carry exactly the schema's
 * properties. A record without a schema, or a schema without a record, fails the test.
 */
class EventSchemaTests {
    private static final Instant AT = Instant.parse("2026-01-29T12:00:00Z");
    /** Values for the few constrained strings, by the schema's pattern. */
    private static final Map<String, String> PATTERN_SAMPLES = Map.of(
            "^[0-9]{4}-[0-9]{2}$", "2026-01",
            "^SHA256:[A-Za-z0-9+/=]+$", "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8");

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @Test
    void everyEventRecordHasASchemaAndEverySchemaARecord() throws Exception {
        Set<String> records = new TreeSet<>(eventRecords().keySet());
        Set<String> schemas = new TreeSet<>();
        try (Stream<Path> files = Files.list(resourceDir("/schemas"))) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .forEach(n -> schemas.add(n.substring(0, n.length() - ".json".length())));
        }

        assertThat(records).as("event records (implementing BrokerEvent)").isNotEmpty();
        assertThat(schemas).as("schemas/*.json").isEqualTo(records);
        assertThat(new TreeSet<>(EventCatalog.all().keySet()))
                .as("EventCatalog entries")
                .isEqualTo(records);
    }

    @Test
    void aRepresentativeInstanceOfEveryEventRecordValidatesAgainstItsSchema() throws Exception {
        Map<String, List<String>> problems = new TreeMap<>();
        Map<String, Class<?>> records = eventRecords();
        assertThat(records).as("event records").isNotEmpty();
        for (Map.Entry<String, Class<?>> e : records.entrySet()) {
            String name = e.getKey();
            JsonNode schemaNode;
            try (InputStream in = EventSchemaTests.class.getResourceAsStream("/schemas/" + name + ".json")) {
                assertThat(in).as("schema of " + name).isNotNull();
                schemaNode = EventCatalog.mapper().readTree(in);
            }
            Object instance = sample(e.getValue(), schemaNode, schemaNode);
            JsonNode json = EventCatalog.mapper().readTree(EventCatalog.toJson((BrokerEvent) instance));

            List<String> found = new ArrayList<>();
            Schema schema = SCHEMAS.getSchema(EventCatalog.mapper().writeValueAsString(schemaNode));
            for (Error error : schema.validate(json)) {
                found.add(error.toString());
            }
            Set<String> declared = new TreeSet<>();
            schemaNode.get("properties").fieldNames().forEachRemaining(declared::add);
            Set<String> written = new TreeSet<>();
            json.fieldNames().forEachRemaining(written::add);
            if (!declared.equals(written)) {
                found.add("fields " + written + " but schema properties " + declared);
            }
            if (!found.isEmpty()) {
                problems.put(name, found);
            }
            // the sample also survives the consumers' decoding
            assertThat(EventCatalog.fromJson(name, json.toString())).as(name).isEqualTo(instance);
        }
        assertThat(problems)
                .as("records whose JSON does not match their schema")
                .isEmpty();
    }

    /** Every record implementing {@link BrokerEvent} in the contracts package, by simple name. */
    static Map<String, Class<?>> eventRecords() throws IOException, URISyntaxException, ClassNotFoundException {
        // the main classes, not the test classes of the same package
        Path dir = Path.of(BrokerEvent.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .resolve(BrokerEvent.class.getPackageName().replace('.', '/'));
        Map<String, Class<?>> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String file = p.getFileName().toString();
                if (!file.endsWith(".class") || file.contains("$")) {
                    continue;
                }
                Class<?> c =
                        Class.forName(BrokerEvent.class.getPackageName() + "." + file.substring(0, file.length() - 6));
                if (c.isRecord() && BrokerEvent.class.isAssignableFrom(c)) {
                    out.put(c.getSimpleName(), c);
                }
            }
        }
        return out;
    }

    private static Path resourceDir(String path) throws URISyntaxException {
        return Path.of(EventSchemaTests.class.getResource(path).toURI());
    }

    /** An instance of record {@code type} with every component filled, guided by {@code schema} (enums, patterns, $defs). */
    static Object sample(Class<?> type, JsonNode schema, JsonNode root) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        JsonNode props = schema == null ? null : schema.get("properties");
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            // @JsonProperty does not target record components: javac puts it on the accessor (and field)
            JsonProperty jp = c.getAccessor().getAnnotation(JsonProperty.class);
            String json = jp != null && !jp.value().isEmpty() ? jp.value() : c.getName();
            types[i] = c.getType();
            args[i] = value(c.getGenericType(), json, props == null ? null : resolve(props.get(json), root), root);
        }
        Constructor<?> canonical = type.getDeclaredConstructor(types);
        return canonical.newInstance(args);
    }

    private static JsonNode resolve(JsonNode prop, JsonNode root) {
        if (prop != null && prop.has("$ref") && prop.get("$ref").asText().startsWith("#/")) {
            JsonNode target = root;
            for (String part : prop.get("$ref").asText().substring(2).split("/")) {
                target = target.get(part);
            }
            return target;
        }
        return prop;
    }

    private static Object value(Type type, String name, JsonNode prop, JsonNode root) throws Exception {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) {
                return List.of(value(args[0], name, prop == null ? null : resolve(prop.get("items"), root), root));
            }
            if (Map.class.isAssignableFrom(raw)) {
                JsonNode values = prop == null ? null : prop.get("additionalProperties");
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(
                        "key",
                        value(args[1], name, values != null && values.isObject() ? resolve(values, root) : null, root));
                return m;
            }
            throw new IllegalArgumentException("no sample for " + type + " (" + name + ")");
        }
        Class<?> c = (Class<?>) type;
        JsonNode enumNode = prop == null ? null : prop.get("enum");
        if (enumNode != null && c == String.class) {
            for (Iterator<JsonNode> it = enumNode.elements(); it.hasNext(); ) {
                JsonNode v = it.next();
                if (v.isTextual()) {
                    return v.asText();
                }
            }
        }
        if (prop != null && prop.has("pattern") && c == String.class) {
            String pattern = prop.get("pattern").asText();
            assertThat(PATTERN_SAMPLES)
                    .as("a sample for pattern " + pattern + " (" + name + ")")
                    .containsKey(pattern);
            return PATTERN_SAMPLES.get(pattern);
        }
        if (c == String.class) {
            return name + "-1";
        }
        if (c == int.class || c == Integer.class) {
            return 1;
        }
        if (c == long.class || c == Long.class) {
            return 1L;
        }
        if (c == double.class || c == Double.class) {
            return 0.5;
        }
        if (c == boolean.class || c == Boolean.class) {
            return true;
        }
        if (c == BigDecimal.class) {
            return new BigDecimal("0.45");
        }
        if (c == Instant.class) {
            return AT;
        }
        if (c.isEnum()) {
            return c.getEnumConstants()[0];
        }
        if (c.isRecord()) {
            return sample(c, prop, root);
        }
        throw new IllegalArgumentException("no sample for " + c.getName() + " (" + name + ")");
    }
}
