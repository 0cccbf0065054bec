package io.gpubroker.session.repository;

import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/** Every query on sessions and their attempts; the callers never write SQL or JPQL themselves. */
@ApplicationScoped
public class SessionRepository {
    private static final List<SessionStatus> LIVE =
            List.of(SessionStatus.pending, SessionStatus.provisioning, SessionStatus.running);
    private static final List<SessionStatus> ACTIVE =
            List.of(SessionStatus.pending, SessionStatus.provisioning, SessionStatus.running, SessionStatus.stopping);

    private final Mutiny.SessionFactory db;

    public SessionRepository(Mutiny.SessionFactory db) {
        this.db = db;
    }

    /** One row of a session's auto-retry chain ({@code at} as the database returned it). */
    public record AttemptRow(int attempt, String offerId, String provider, String outcome, String at, String detail) {}

    /** Sessions per provider and status, for the active-sessions gauge. */
    public record ActiveCount(String provider, String status, long count) {}

    public Uni<Session> find(String id) {
        return db.withSession(s -> s.find(Session.class, id));
    }

    /** The session locked for this transaction (FOR UPDATE), or null. */
    public Uni<Session> lock(Mutiny.Session tx, String id) {
        return tx.find(Session.class, id, LockModeType.PESSIMISTIC_WRITE);
    }

    /** The session as this transaction sees it, without a lock. */
    public Uni<Session> find(Mutiny.Session tx, String id) {
        return tx.find(Session.class, id);
    }

    /** Inserts a new session and flushes, so a unique-constraint conflict surfaces here. */
    public Uni<Void> insert(Mutiny.Session tx, Session s) {
        return tx.persist(s).call(tx::flush);
    }

    /**
     * Serialises this consumer's creates across every session-service replica until the transaction
     * ends (a transaction-scoped advisory lock): the cap and the Idempotency-Key are checked and the
     * new session inserted with no other create of this consumer in between.
     */
    public Uni<Void> lockConsumer(Mutiny.Session tx, String consumerId) {
        return tx.createNativeQuery(
                        "select cast(pg_advisory_xact_lock(hashtextextended('session-create:' || ?1, 0)) as text)")
                .setParameter(1, consumerId)
                .getSingleResult()
                .replaceWithVoid();
    }

    /** This consumer's pending, provisioning and running sessions, as this transaction sees them. */
    public Uni<Long> countLive(Mutiny.Session tx, String consumerId) {
        return tx.createQuery("select count(*) from Session where consumerId = :c and status in (:live)", Long.class)
                .setParameter("c", consumerId)
                .setParameter("live", LIVE)
                .getSingleResult();
    }

    /** The session an earlier create with this Idempotency-Key made, as this transaction sees it. */
    public Uni<Session> byIdempotencyKey(Mutiny.Session tx, String consumerId, String key) {
        return tx.createQuery("from Session where consumerId = :c and terms.idempotencyKey = :k", Session.class)
                .setParameter("c", consumerId)
                .setParameter("k", key)
                .getSingleResultOrNull();
    }

    public Uni<Session> byIdempotencyKey(String consumerId, String key) {
        return db.withSession(
                s -> s.createQuery("from Session where consumerId = :c and terms.idempotencyKey = :k", Session.class)
                        .setParameter("c", consumerId)
                        .setParameter("k", key)
                        .getSingleResultOrNull());
    }

    /** Newest first; every filter is optional. */
    public Uni<List<Session>> list(String consumerId, SessionStatus status, String provider, int limit) {
        StringBuilder q = new StringBuilder("from Session where 1 = 1");
        if (consumerId != null) {
            q.append(" and consumerId = :c");
        }
        if (status != null) {
            q.append(" and status = :s");
        }
        if (provider != null) {
            q.append(" and offer.provider = :p");
        }
        q.append(" order by lease.createdAt desc");
        return db.withSession(s -> {
            var query = s.createQuery(q.toString(), Session.class).setMaxResults(limit);
            if (consumerId != null) {
                query.setParameter("c", consumerId);
            }
            if (status != null) {
                query.setParameter("s", status);
            }
            if (provider != null) {
                query.setParameter("p", provider);
            }
            return query.getResultList();
        });
    }

    /** Records how attempt {@code n} of a session (one offer tried) went; a later outcome replaces an earlier one. */
    public Uni<Void> recordAttempt(
            Mutiny.Session tx,
            String id,
            int n,
            String offerId,
            String provider,
            String outcome,
            String detail,
            Instant at) {
        return tx.createNativeQuery(
                        "insert into session.session_attempts (session_id, attempt, offer_id, provider, outcome, detail, at)"
                                + " values (?1, ?2, ?3, ?4, ?5, ?6, ?7) on conflict (session_id, attempt)"
                                + " do update set outcome = excluded.outcome, detail = excluded.detail")
                .setParameter(1, id)
                .setParameter(2, n)
                .setParameter(3, offerId)
                .setParameter(4, provider)
                .setParameter(5, outcome)
                .setParameter(6, detail)
                .setParameter(7, at(at))
                .executeUpdate()
                .replaceWithVoid();
    }

    /** The offers a session has been on (every attempt's, the current one included): failover never goes back. */
    public Uni<java.util.Set<String>> triedOffers(Mutiny.Session tx, String id) {
        return tx.createNativeQuery("select offer_id from session.session_attempts where session_id = ?1", String.class)
                .setParameter(1, id)
                .getResultList()
                .map(java.util.HashSet::new);
    }

    public Uni<List<AttemptRow>> attempts(String id) {
        return db.withSession(s -> s.createNativeQuery(
                                "select attempt, offer_id, provider, outcome, at, detail from session.session_attempts"
                                        + " where session_id = ?1 order by attempt",
                                Object[].class)
                        .setParameter(1, id)
                        .getResultList())
                .map(rows -> rows.stream()
                        .map(r -> new AttemptRow(
                                ((Number) r[0]).intValue(),
                                (String) r[1],
                                (String) r[2],
                                (String) r[3],
                                r[4].toString(),
                                (String) r[5]))
                        .toList());
    }

    /**
     * Claims up to {@code max} sessions whose timer is due (FOR UPDATE SKIP LOCKED, so replicas never
     * take the same one) and moves their timer to {@code lease}, so a crash before the step re-fires them.
     */
    public Uni<List<String>> claimDue(Instant now, Instant lease, int max) {
        return db.withTransaction(tx -> tx.createNativeQuery("""
                        update session.sessions set next_check_at = ?1
                        where id in (select id from session.sessions where next_check_at <= ?2
                                     order by next_check_at limit ?3 for update skip locked)
                        returning id""", String.class)
                .setParameter(1, at(lease))
                .setParameter(2, at(now))
                .setParameter(3, max)
                .getResultList());
    }

    /** Ids of a consumer's live sessions (pending, provisioning, running). */
    public Uni<List<String>> liveIdsOf(Mutiny.Session tx, String consumerId) {
        return tx.createQuery("select id from Session where consumerId = :c and status in (:st)", String.class)
                .setParameter("c", consumerId)
                .setParameter("st", LIVE)
                .getResultList();
    }

    public Uni<List<Session>> byIds(Mutiny.Session tx, Collection<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return tx.createQuery("from Session where id in (:ids)", Session.class)
                .setParameter("ids", ids)
                .getResultList();
    }

    /** Sessions of {@code provider} that hold an instance while provisioning or running. */
    public Uni<List<Session>> holdingInstances(Mutiny.Session tx, String provider) {
        return tx.createQuery(
                        "from Session where offer.provider = :p and status in (:st) and host.instanceId is not null",
                        Session.class)
                .setParameter("p", provider)
                .setParameter("st", List.of(SessionStatus.provisioning, SessionStatus.running))
                .getResultList();
    }

    /** Makes every pending, provisioning and stopping session due at {@code now}; returns how many. */
    public Uni<Integer> makeInFlightDue(Mutiny.Session tx, Instant now) {
        return tx.createNativeQuery("""
                        update session.sessions set next_check_at = ?1
                        where status in ('pending', 'provisioning', 'stopping')""").setParameter(1, at(now)).executeUpdate();
    }

    public Uni<List<Session>> runningWithInstance(Mutiny.Session tx) {
        return tx.createQuery("from Session where status = :st and host.instanceId is not null", Session.class)
                .setParameter("st", SessionStatus.running)
                .getResultList();
    }

    /** Pending, provisioning, running and stopping sessions counted per provider and status. */
    public Uni<List<ActiveCount>> activeCounts() {
        return db.withSession(s -> s.createQuery(
                                "select offer.provider, status, count(*) from Session where status in (:st) group by offer.provider, status",
                                Object[].class)
                        .setParameter("st", ACTIVE)
                        .getResultList())
                .map(rows -> rows.stream()
                        .map(r -> new ActiveCount((String) r[0], r[1].toString(), ((Number) r[2]).longValue()))
                        .toList());
    }

    private static OffsetDateTime at(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
