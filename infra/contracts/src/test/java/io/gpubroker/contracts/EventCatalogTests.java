package io.gpubroker.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventCatalogTests {

    static SessionRequested sample() {
        return new SessionRequested(
                "sess-1",
                "team-a",
                "vastai-1",
                "vastai",
                "RTX 4090",
                1,
                new BigDecimal("0.45"),
                "USD",
                2,
                "llm",
                Instant.parse("2026-01-29T12:00:00Z"));
    }

    @Test
    void everyCatalogEntryHasASchemaAndSessionRequestedMatchesItsJson() throws Exception {
        for (var e : EventCatalog.all().entrySet()) {
            try (InputStream in = getClass().getResourceAsStream("/schemas/" + e.getKey() + ".json")) {
                assertThat(in).as("schema for " + e.getKey()).isNotNull();
            }
        }
        {
            try (InputStream in = getClass().getResourceAsStream("/schemas/SessionRequested.json")) {
                JsonNode schema = EventCatalog.mapper().readTree(in);
                JsonNode json = EventCatalog.mapper().readTree(EventCatalog.toJson(sample()));
                Set<String> props = new HashSet<>();
                schema.get("properties").fieldNames().forEachRemaining(props::add);
                Set<String> fields = new HashSet<>();
                json.fieldNames().forEachRemaining(fields::add);
                assertThat(props).isEqualTo(fields);
                for (Iterator<JsonNode> it = schema.get("required").elements(); it.hasNext(); ) {
                    assertThat(json.get(it.next().asText()).isNull()).isFalse();
                }
            }
        }
    }

    @Test
    void roundTripsAnEventWithExactMoney() {
        String json = EventCatalog.toJson(sample());
        assertThat(json).contains("\"price_per_hour\":0.45").contains("\"requested_at\":\"2026-01-29T12:00:00Z\"");
        assertThat(EventCatalog.fromJson("SessionRequested", json)).isEqualTo(sample());
    }

    @Test
    void rejectsMalformedPayloadsWithAReason() {
        assertThatThrownBy(() -> EventCatalog.fromJson("SessionRequested", "{not json"))
                .isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> EventCatalog.fromJson("SessionRequested", "{\"consumer_id\":\"a\"}"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("session_id");
        assertThatThrownBy(() -> EventCatalog.fromJson("NoSuchEvent", "{}"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("unknown event type");
    }

    @Test
    void asyncApiListsEveryTopic() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/asyncapi.yaml")) {
            String doc = new String(in.readAllBytes());
            for (String t : new String[] {
                Topics.SESSION_EVENTS,
                Topics.OFFER_EVENTS,
                Topics.COST_EVENTS,
                Topics.BUDGET_EVENTS,
                Topics.PROVIDER_OFFERS,
                Topics.PROVISIONING_REQUESTS,
                Topics.PROVISIONING_REPLIES,
                Topics.INSTANCE_INVENTORY
            }) {
                assertThat(doc).contains("address: " + t);
            }
        }
    }
}
