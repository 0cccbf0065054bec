package io.gpubroker.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Map;

/**
 * The one place that knows every event type: name → record class → topic, and the JSON codec
 * all services use for payloads. Additive changes only: new optional fields, new types.
 */
public final class EventCatalog {

    /** Where an event type is published. */
    public record Entry(Class<? extends BrokerEvent> type, String topic, int version) {}

    private static final Map<String, Entry> ENTRIES = merge(
            SessionContracts.ENTRIES,
            OfferFeedContracts.ENTRIES,
            ProvisioningContracts.ENTRIES,
            OfferContracts.ENTRIES,
            BillingContracts.ENTRIES);

    @SafeVarargs
    private static Map<String, Entry> merge(Map<String, Entry>... groups) {
        Map<String, Entry> all = new java.util.HashMap<>();
        for (Map<String, Entry> g : groups) {
            g.forEach((k, v) -> {
                if (all.put(k, v) != null) {
                    throw new IllegalStateException("event type registered twice: " + k);
                }
            });
        }
        return Map.copyOf(all);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private EventCatalog() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static Entry entry(String typeName) {
        Entry e = ENTRIES.get(typeName);
        if (e == null) {
            throw new MalformedEventException("unknown event type: " + typeName);
        }
        return e;
    }

    public static Entry entryOf(BrokerEvent event) {
        return entry(event.getClass().getSimpleName());
    }

    public static Map<String, Entry> all() {
        return ENTRIES;
    }

    public static String toJson(BrokerEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot serialise " + event.getClass().getSimpleName(), e);
        }
    }

    /** Parses {@code json} as {@code typeName}; any problem is a {@link MalformedEventException}. */
    public static BrokerEvent fromJson(String typeName, String json) {
        Entry e = entry(typeName);
        if (json == null || json.isBlank()) {
            throw new MalformedEventException("empty payload for " + typeName);
        }
        try {
            return MAPPER.readValue(json, e.type());
        } catch (ValueInstantiationException ex) {
            Throwable cause = ex.getCause();
            throw new MalformedEventException(
                    typeName + ": " + (cause != null ? cause.getMessage() : ex.getOriginalMessage()), ex);
        } catch (JsonProcessingException ex) {
            throw new MalformedEventException(typeName + ": " + ex.getOriginalMessage(), ex);
        }
    }
}
