package io.gpubroker.kit.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Appends an event to this service's outbox table in the caller's transaction: the state change
 * and the event commit together or not at all, and Debezium publishes what committed.
 */
@ApplicationScoped
public class OutboxWriter {
    /** Above this many events, {@link #appendAll} inserts many rows per statement. */
    private static final int BULK_THRESHOLD = 256;
    /** Rows per multi-row insert. */
    private static final int BULK_ROWS = 5_000;

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

    /**
     * Appends {@code events} in order, in the caller's transaction; returns their ids in the same order.
     * Up to {@link #BULK_THRESHOLD} events each take {@link #append}'s statement; more (a first load,
     * a mass withdrawal: one statement per event made 100,000 of them take a minute) go as multi-row
     * inserts of {@link #BULK_ROWS} rows each, the rows passed as one JSON array expanded by
     * {@code jsonb_to_recordset}, with the same columns, ids, topic and version, payload as jsonb.
     */
    public Uni<List<UUID>> appendAll(Mutiny.Session session, String aggregateType, List<? extends BrokerEvent> events) {
        if (events.size() <= BULK_THRESHOLD) {
            return Multi.createFrom()
                    .iterable(events)
                    .onItem()
                    .transformToUniAndConcatenate(e -> append(session, aggregateType, e))
                    .collect()
                    .asList();
        }
        List<UUID> ids = new ArrayList<>(events.size());
        List<Map<String, Object>> rows = new ArrayList<>(events.size());
        for (BrokerEvent e : events) {
            EventCatalog.Entry entry = EventCatalog.entryOf(e);
            UUID id = UUID.randomUUID();
            ids.add(id);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id.toString());
            row.put("aggregatetype", aggregateType);
            row.put("aggregateid", e.aggregateId());
            row.put("type", e.getClass().getSimpleName());
            row.put("version", entry.version());
            row.put("topic", entry.topic());
            row.put("payload", EventCatalog.mapper().valueToTree(e));
            rows.add(row);
        }
        List<List<Map<String, Object>>> chunks = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += BULK_ROWS) {
            chunks.add(rows.subList(i, Math.min(rows.size(), i + BULK_ROWS)));
        }
        return Multi.createFrom()
                .iterable(chunks)
                .onItem()
                .transformToUniAndConcatenate(chunk -> session.createNativeQuery("insert into " + table
                                + " (id, aggregatetype, aggregateid, type, version, topic, payload)"
                                + " select id, aggregatetype, aggregateid, type, version, topic, payload"
                                + " from jsonb_to_recordset(cast(cast(?1 as text) as jsonb)) as x(id uuid, aggregatetype text,"
                                + " aggregateid text, type text, version int, topic text, payload jsonb)")
                        .setParameter(1, json(chunk))
                        .executeUpdate())
                .collect()
                .last()
                .replaceWith(ids);
    }

    private static String json(Object rows) {
        try {
            return EventCatalog.mapper().writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise outbox rows", e);
        }
    }

    /** Deletes published rows older than {@code hours}; the WAL already carried them to Kafka. */
    public Uni<Integer> purgeOlderThan(Mutiny.Session session, int hours) {
        return session.createNativeQuery(
                        "delete from " + table + " where created_at < now() - make_interval(hours => ?1)")
                .setParameter(1, hours)
                .executeUpdate();
    }
}
