package io.gpubroker.kit.messaging;

import static io.gpubroker.kit.KitDb.requested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.SessionRequested;
import org.junit.jupiter.api.Test;

/** Decoding what Debezium's outbox router publishes: id and type headers, the key, the typed payload. */
class EnvelopeTests {
    private final KafkaMessages kafka = new KafkaMessages();
    private final SessionRequested event = requested("sess-env-1");
    private final String json = EventCatalog.toJson(event);

    @Test
    void aMessageWithItsHeadersAndKeyDecodesToTheTypedEvent() {
        Envelope env = Envelope.of(kafka.message("e-1", "SessionRequested", "sess-env-1", json));

        assertThat(env.eventId()).isEqualTo("e-1");
        assertThat(env.type()).isEqualTo("SessionRequested");
        assertThat(env.key()).isEqualTo("sess-env-1");
        assertThat(env.event()).isEqualTo(event);
    }

    @Test
    void aMissingOrOverlongIdOrAMissingTypeIsMalformed() {
        assertThatThrownBy(() -> Envelope.of(kafka.message(null, "SessionRequested", "sess-env-1", json)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("'id' header");
        assertThatThrownBy(() -> Envelope.of(kafka.message("x".repeat(65), "SessionRequested", "sess-env-1", json)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("'id' header");
        assertThatThrownBy(() -> Envelope.of(kafka.message("e-1", null, "sess-env-1", json)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("'eventType' header");
    }

    @Test
    void aKeyThatIsNotTheAggregateIdIsMalformed() {
        assertThatThrownBy(() -> Envelope.of(kafka.message("e-1", "SessionRequested", "sess-other", json)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("does not match aggregate id sess-env-1");
    }

    @Test
    void anUnknownTypeOrAnUnreadablePayloadIsMalformed() {
        assertThatThrownBy(() -> Envelope.of(kafka.message("e-1", "NoSuchEvent", "sess-env-1", json)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("unknown event type");
        assertThatThrownBy(
                        () -> Envelope.of(kafka.message("e-1", "SessionRequested", "sess-env-1", "{\"session_id\":")))
                .isInstanceOf(MalformedEventException.class);
    }
}
