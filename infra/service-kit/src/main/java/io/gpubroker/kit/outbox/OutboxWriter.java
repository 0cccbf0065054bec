package io.gpubroker.kit.outbox;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Appends an event to this service's outbox table in the caller's transaction: the state change
 * and the event commit together or not at all, and Debezium publishes what committed.
 */
@ApplicationScoped
public class OutboxWriter {

    private final String table;

    public OutboxWriter(@ConfigProperty(name = "broker.db.schema") String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad schema name " + schema);
        }
        this.table = schema + ".outbox";
    }

    /** Appends {@code event}; returns the event id (the {@code id} header consumers dedup on). */
    public Uni<UUID> append(Mutiny.Session session, String aggregateType, BrokerEvent event) {
        EventCatalog.Entry entry = EventCatalog.entryOf(event);
        UUID id = UUID.randomUUID();
        // the payload is bound as text: the reactive PG client would encode a String bound to a
        // jsonb parameter as a JSON string scalar (double-encoded JSON on Kafka)
        return session.createNativeQuery("insert into " + table
                        + " (id, aggregatetype, aggregateid, type, version, topic, payload)"
                        + " values (cast(?1 as uuid), ?2, ?3, ?4, ?5, ?6, cast(cast(?7 as text) as jsonb))")
                .setParameter(1, id.toString())
                .setParameter(2, aggregateType)
                .setParameter(3, event.aggregateId())
                .setParameter(4, event.getClass().getSimpleName())
                .setParameter(5, entry.version())
                .setParameter(6, entry.topic())
                .setParameter(7, EventCatalog.toJson(event))
                .executeUpdate()
                .replaceWith(id);
    }

    /** Deletes published rows older than {@code hours}; the WAL already carried them to Kafka. */
    public Uni<Integer> purgeOlderThan(Mutiny.Session session, int hours) {
        return session.createNativeQuery("delete from " + table + " where created_at < now() - make_interval(hours => ?1)")
                .setParameter(1, hours)
                .executeUpdate();
    }
}
