package io.gpubroker.inventory.rest;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * How a mapper writes one JSON object type, split into what is fixed per value and what changes per
 * request. {@link #prepare} serialises a value's properties with the mapper's own serializers, in
 * the mapper's order, except the {@code dynamic} ones, for which it keeps only {@code "name":} and
 * remembers where the value goes (a hole). Writing the prepared bytes with the holes filled gives
 * what the mapper would write for the whole value, without serialising the fixed part again.
 * The type stays the one declaration of the fields; this only reads it.
 */
final class JsonLayout {

    /** A value's JSON with holes: {@code bytes} with the dynamic values left out at {@code holes} (ascending). */
    record Prepared(byte[] bytes, int[] holes) {}

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private final ObjectMapper mapper;
    private final List<PropertyWriter> properties;
    private final boolean[] dynamic;
    private final List<String> dynamicNames;

    private JsonLayout(
            ObjectMapper mapper, List<PropertyWriter> properties, boolean[] dynamic, List<String> dynamicNames) {
        this.mapper = mapper;
        this.properties = properties;
        this.dynamic = dynamic;
        this.dynamicNames = dynamicNames;
    }

    /** The layout of {@code type} (a bean or record) as {@code mapper} writes it; every name in {@code dynamic} must be a property. */
    static JsonLayout of(ObjectMapper mapper, Class<?> type, Set<String> dynamic) {
        JsonSerializer<Object> serializer;
        try {
            serializer = mapper.getSerializerProviderInstance().findValueSerializer(type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!(serializer instanceof BeanSerializerBase bean)) {
            throw new IllegalStateException(
                    type + " is not written as a bean by this mapper: " + serializer.getClass());
        }
        List<PropertyWriter> props = new ArrayList<>();
        for (Iterator<PropertyWriter> it = bean.properties(); it.hasNext(); ) {
            props.add(it.next());
        }
        boolean[] isDynamic = new boolean[props.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < props.size(); i++) {
            isDynamic[i] = dynamic.contains(props.get(i).getName());
            if (isDynamic[i]) {
                names.add(props.get(i).getName());
            }
        }
        if (names.size() != dynamic.size()) {
            throw new IllegalStateException(
                    type.getSimpleName() + " has no property among " + dynamic + " (has " + names + ")");
        }
        return new JsonLayout(mapper, List.copyOf(props), isDynamic, List.copyOf(names));
    }

    /** The dynamic properties in the order their holes come. */
    List<String> dynamicNames() {
        return dynamicNames;
    }

    /** {@code value} serialised with a hole for each dynamic property. */
    Prepared prepare(Object value) {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        List<int[]> placeholders = new ArrayList<>(); // where "null" was written for a dynamic value
        try (JsonGenerator gen = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            mapper.getSerializationConfig().initialize(gen);
            SerializerProvider provider = mapper.getSerializerProviderInstance();
            gen.writeStartObject();
            for (int i = 0; i < properties.size(); i++) {
                PropertyWriter p = properties.get(i);
                if (dynamic[i]) {
                    // the separator before a value is written with the value: keep it, drop only "null"
                    gen.writeFieldName(p.getName());
                    gen.writeNull();
                    gen.flush();
                    placeholders.add(new int[] {out.size() - NULL.length, out.size()});
                } else {
                    p.serializeAsField(value, gen, provider);
                }
            }
            gen.writeEndObject();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
        byte[] raw = out.toByteArray();
        for (int[] x : placeholders) {
            if (!Arrays.equals(raw, x[0], x[1], NULL, 0, NULL.length)) {
                throw new IllegalStateException(
                        "unexpected JSON layout of " + value.getClass().getSimpleName());
            }
        }
        int cut = placeholders.stream().mapToInt(x -> x[1] - x[0]).sum();
        byte[] bytes = new byte[raw.length - cut];
        int[] holes = new int[placeholders.size()];
        int from = 0;
        int to = 0;
        for (int h = 0; h < holes.length; h++) {
            int[] x = placeholders.get(h);
            System.arraycopy(raw, from, bytes, to, x[0] - from);
            to += x[0] - from;
            holes[h] = to;
            from = x[1];
        }
        System.arraycopy(raw, from, bytes, to, raw.length - from);
        return new Prepared(bytes, holes);
    }
}
