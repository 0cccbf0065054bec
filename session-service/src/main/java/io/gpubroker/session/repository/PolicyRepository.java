package io.gpubroker.session.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.session.domain.ConsumerPolicy;
import io.gpubroker.session.service.PolicyCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/** Consumer policies and the in-flight usage they are checked against; all SQL of both is here. */
@ApplicationScoped
public class PolicyRepository {
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {};
    private static final String COLUMNS = "consumer_id, max_sessions, max_gpus, max_hourly_usd,"
            + " cast(allowed_providers as text), cast(allowed_gpu_types as text), max_reservation_hours,"
            + " default_ttl_hours, updated_at";

    private final Mutiny.SessionFactory db;
    private final ObjectMapper json;

    public PolicyRepository(Mutiny.SessionFactory db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    /** The consumer's policy as this transaction sees it, or null (no policy: only the global cap). */
    public Uni<ConsumerPolicy> find(Mutiny.Session tx, String consumerId) {
        return tx.createNativeQuery(
                        "select " + COLUMNS + " from session.consumer_policies where consumer_id = ?1", Object[].class)
                .setParameter(1, consumerId)
                .getResultList()
                .map(rows -> rows.isEmpty() ? null : row(rows.get(0)));
    }

    public Uni<ConsumerPolicy> find(String consumerId) {
        return db.withSession(tx -> find(tx, consumerId));
    }

    /**
     * Creates or replaces the consumer's policy. The lists travel as text cast to jsonb: a String bound
     * to a jsonb parameter is sent by the reactive driver as a JSON string, not parsed.
     */
    public Uni<ConsumerPolicy> put(ConsumerPolicy p) {
        return db.withTransaction(tx -> tx.createNativeQuery("""
                        insert into session.consumer_policies (consumer_id, max_sessions, max_gpus, max_hourly_usd,
                            allowed_providers, allowed_gpu_types, max_reservation_hours, default_ttl_hours, updated_at)
                        values (?1, ?2, ?3, ?4, cast(cast(?5 as text) as jsonb), cast(cast(?6 as text) as jsonb),
                            ?7, ?8, ?9)
                        on conflict (consumer_id) do update set max_sessions = excluded.max_sessions,
                            max_gpus = excluded.max_gpus, max_hourly_usd = excluded.max_hourly_usd,
                            allowed_providers = excluded.allowed_providers, allowed_gpu_types = excluded.allowed_gpu_types,
                            max_reservation_hours = excluded.max_reservation_hours,
                            default_ttl_hours = excluded.default_ttl_hours, updated_at = excluded.updated_at""")
                        .setParameter(1, p.consumerId())
                        .setParameter(2, p.maxSessions())
                        .setParameter(3, p.maxGpus())
                        .setParameter(4, p.maxHourlyUsd())
                        .setParameter(5, names(p.allowedProviders()))
                        .setParameter(6, names(p.allowedGpuTypes()))
                        .setParameter(7, p.maxReservationHours())
                        .setParameter(8, p.defaultTtlHours())
                        .setParameter(9, OffsetDateTime.ofInstant(p.updatedAt(), ZoneOffset.UTC))
                        .executeUpdate())
                .replaceWith(p);
    }

    /** Removes the consumer's policy; whether there was one. */
    public Uni<Boolean> delete(String consumerId) {
        return db.withTransaction(
                        tx -> tx.createNativeQuery("delete from session.consumer_policies where consumer_id = ?1")
                                .setParameter(1, consumerId)
                                .executeUpdate())
                .map(n -> n > 0);
    }

    /**
     * The consumer's pending, provisioning and running sessions as this transaction sees them, all but
     * {@code exceptSession} (null: all): a moving session's own share is not counted twice.
     */
    public Uni<PolicyCheck.Usage> usage(Mutiny.Session tx, String consumerId, String exceptSession) {
        return tx.createNativeQuery(
                        "select count(*), coalesce(sum(gpu_count), 0), coalesce(sum(price_per_hour), 0)"
                                + " from session.sessions where consumer_id = ?1"
                                + " and status in ('pending', 'provisioning', 'running') and id <> ?2",
                        Object[].class)
                .setParameter(1, consumerId)
                .setParameter(2, exceptSession == null ? "" : exceptSession)
                .getSingleResult()
                .map(r -> new PolicyCheck.Usage(
                        ((Number) r[0]).longValue(),
                        ((Number) r[1]).longValue(),
                        r[2] instanceof BigDecimal b ? b : new BigDecimal(r[2].toString())));
    }

    private ConsumerPolicy row(Object[] r) {
        return new ConsumerPolicy(
                (String) r[0],
                r[1] == null ? null : ((Number) r[1]).intValue(),
                r[2] == null ? null : ((Number) r[2]).intValue(),
                r[3] == null ? null : new BigDecimal(r[3].toString()),
                list((String) r[4]),
                list((String) r[5]),
                r[6] == null ? null : ((Number) r[6]).intValue(),
                r[7] == null ? null : ((Number) r[7]).intValue(),
                instant(r[8]));
    }

    private static Instant instant(Object o) {
        if (o instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        return o instanceof java.time.LocalDateTime l ? l.toInstant(ZoneOffset.UTC) : null;
    }

    private List<String> list(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, NAMES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("consumer_policies holds a list that is not JSON", e);
        }
    }

    private String names(List<String> names) {
        if (names == null) {
            return null;
        }
        try {
            return json.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
