package io.gpubroker.inventory.repository;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Appends a snapshot's events to the outbox in the caller's transaction. A normal poll changes a
 * handful of offers: those go through the kit's {@link OutboxWriter}, one row each. A first load or
 * a mass withdrawal changes tens of thousands at once; one statement per event made a 100,000-offer
 * snapshot take a minute, so above {@link #BULK_THRESHOLD} the same rows (same columns, ids, topic
 * and version from the {@link EventCatalog}) are inserted 5,000 per statement.
 */
@ApplicationScoped
public class OutboxBatch {
    static final int BULK_THRESHOLD = 256;
    private static final int CHUNK = 5_000;

    private final OutboxWriter writer;

    public OutboxBatch(OutboxWriter writer) {
        this.writer = writer;
    }

    public Uni<Void> appendAll(Mutiny.Session db, String aggregateType, List<? extends BrokerEvent> events) {
        if (events.size() <= BULK_THRESHOLD) {
            return Multi.createFrom().iterable(events)
                    .onItem().transformToUniAndConcatenate(e -> writer.append(db, aggregateType, e))
                    .collect().last().replaceWithVoid();
        }
        List<Map<String, Object>> rows = new ArrayList<>(events.size());
        for (BrokerEvent e : events) {
            EventCatalog.Entry entry = EventCatalog.entryOf(e);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", UUID.randomUUID().toString());
            row.put("aggregatetype", aggregateType);
            row.put("aggregateid", e.aggregateId());
            row.put("type", e.getClass().getSimpleName());
            row.put("version", entry.version());
            row.put("topic", entry.topic());
            row.put("payload", EventCatalog.mapper().valueToTree(e));
            rows.add(row);
        }
        return Multi.createFrom().iterable(CatalogRepository.chunks(rows))
                .onItem().transformToUniAndConcatenate(chunk -> db.createNativeQuery("insert into inventory.outbox"
                                + " (id, aggregatetype, aggregateid, type, version, topic, payload)"
                                + " select id, aggregatetype, aggregateid, type, version, topic, payload"
                                + " from jsonb_to_recordset(cast(cast(?1 as text) as jsonb)) as x(id uuid, aggregatetype text,"
                                + " aggregateid text, type text, version int, topic text, payload jsonb)")
                        .setParameter(1, json(chunk))
                        .executeUpdate())
                .collect().last().replaceWithVoid();
    }

    private static String json(Object v) {
        try {
            return EventCatalog.mapper().writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
