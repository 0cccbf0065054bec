package io.gpubroker.provider.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.provider.intent.Intent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The intent log's SQL (table {@code <schema>.intents}). Every method runs in the caller's session and
 * transaction: the intent is inserted in the same transaction as the inbox row, and the outcome in
 * the same transaction as the outbox reply.
 */
@ApplicationScoped
public class IntentRepository {
    private final String table;

    public IntentRepository(@ConfigProperty(name = "broker.db.schema") String schema) {
        this.table = schema + ".intents";
    }

    /** Inserts the intent unless the command is already known; true when this call inserted it. */
    public Uni<Boolean> insertIfAbsent(Mutiny.Session db, ProvisionInstance c, String tag) {
        return db.createNativeQuery(
                        "insert into " + table
                                + " (command_id, session_id, provider, offer_id, ownership_tag, ssh_public_keys)"
                                + " values (?1, ?2, ?3, ?4, ?5, cast(cast(?6 as text) as jsonb)) on conflict (command_id) do nothing")
                .setParameter(1, c.commandId())
                .setParameter(2, c.sessionId())
                .setParameter(3, c.provider())
                .setParameter(4, c.offerId())
                .setParameter(5, tag)
                .setParameter(6, json(c.sshPublicKeys()))
                .executeUpdate()
                .map(n -> n == 1);
    }

    public Uni<Intent> find(Mutiny.Session db, String commandId) {
        return db.createNativeQuery(
                        "select command_id, session_id, provider, offer_id, ownership_tag, cast(ssh_public_keys as text),"
                                + " instance_id, attempts, outcome_type, cast(outcome as text) from " + table
                                + " where command_id = ?1",
                        Object[].class)
                .setParameter(1, commandId)
                .getResultList()
                .map(rows -> rows.isEmpty() ? null : intent(rows.get(0)));
    }

    /** What the gateway needs to log into an instance's host: the session's keys and the pinned host key (or null). */
    public record HostAccess(List<String> keys, String hostKey) {}

    public Uni<HostAccess> accessOf(Mutiny.Session db, String provider, String instanceId) {
        return db.createNativeQuery(
                        "select cast(ssh_public_keys as text), ssh_host_key from " + table
                                + " where provider = ?1 and instance_id = ?2 order by created_at desc limit 1",
                        Object[].class)
                .setParameter(1, provider)
                .setParameter(2, instanceId)
                .getResultList()
                .map(rows -> rows.isEmpty()
                        ? new HostAccess(List.of(), null)
                        : new HostAccess(keys((String) rows.get(0)[0]), (String) rows.get(0)[1]));
    }

    /** Pins the instance's host key; a pin already there stays (first writer wins, never silently replaced). */
    public Uni<Integer> pinHostKey(Mutiny.Session db, String provider, String instanceId, String fingerprint) {
        return db.createNativeQuery("update " + table + " set ssh_host_key = ?3, updated_at = clock_timestamp()"
                        + " where provider = ?1 and instance_id = ?2 and ssh_host_key is null")
                .setParameter(1, provider)
                .setParameter(2, instanceId)
                .setParameter(3, fingerprint)
                .executeUpdate();
    }

    public Uni<Integer> countAttempt(Mutiny.Session db, String commandId) {
        return db.createNativeQuery("update " + table
                        + " set attempts = attempts + 1, updated_at = clock_timestamp() where command_id = ?1")
                .setParameter(1, commandId)
                .executeUpdate();
    }

    /** Stored the moment the provider returns it, before any further step. */
    public Uni<Integer> recordInstance(Mutiny.Session db, String commandId, String instanceId) {
        return db.createNativeQuery("update " + table
                        + " set instance_id = ?2, updated_at = clock_timestamp() where command_id = ?1")
                .setParameter(1, commandId)
                .setParameter(2, instanceId)
                .executeUpdate();
    }

    /** The final outcome (the reply sent); only the first one sticks. */
    public Uni<Integer> finish(Mutiny.Session db, String commandId, BrokerEvent reply) {
        return db.createNativeQuery(
                        "update " + table + " set outcome_type = ?2, outcome = cast(cast(?3 as text) as jsonb),"
                                + " updated_at = clock_timestamp() where command_id = ?1 and outcome_type is null")
                .setParameter(1, commandId)
                .setParameter(2, reply.getClass().getSimpleName())
                .setParameter(3, EventCatalog.toJson(reply))
                .executeUpdate();
    }

    private static Intent intent(Object[] r) {
        return new Intent(
                (String) r[0],
                (String) r[1],
                (String) r[2],
                (String) r[3],
                (String) r[4],
                keys((String) r[5]),
                (String) r[6],
                ((Number) r[7]).intValue(),
                (String) r[8],
                (String) r[9]);
    }

    private static List<String> keys(String json) {
        try {
            return EventCatalog.mapper().readValue(json, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("intent keys unreadable", e);
        }
    }

    private static String json(Object o) {
        try {
            return EventCatalog.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
