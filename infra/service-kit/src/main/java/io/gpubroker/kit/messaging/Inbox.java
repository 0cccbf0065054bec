package io.gpubroker.kit.messaging;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.kit.vertx.SafeContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * The consumer side of every saga hop. For each message: decode (malformed → nack, which the
 * channel's dead-letter strategy sends to {@code <topic>.dlq} with the reason), then in ONE
 * transaction record the event id for this consumer and apply the effect — a redelivered or
 * replayed event finds its id and has no second effect. Transient failures (database down) are
 * retried with backoff before the message is dead-lettered, so nothing is silently dropped.
 *
 * <p>Batch mode ({@link #handleBatch}) does the same for a whole poll in ONE transaction: malformed
 * records are dead-lettered on their own, duplicates (already recorded, or twice in the batch) are
 * skipped, and the effect gets the rest in the order the records came in (offset order per partition,
 * so per aggregate when the key is the aggregate id). If that transaction fails, the batch is applied
 * again one record per transaction, so one bad event cannot hold back the others.
 */
@ApplicationScoped
public class Inbox {
    private static final Logger LOG = Logger.getLogger(Inbox.class);

    private final Mutiny.SessionFactory sessions;
    private final Vertx vertx;
    private final String table;

    public Inbox(
            Mutiny.SessionFactory sessions, Vertx vertx, @ConfigProperty(name = "broker.db.schema") String schema) {
        this.sessions = sessions;
        this.vertx = vertx;
        this.table = schema + ".processed_messages";
    }

    /** Outcome of {@link #process}: applied, or skipped as a duplicate. */
    public enum Outcome {
        APPLIED,
        DUPLICATE
    }

    public Uni<Void> handle(
            Message<String> msg, String consumer, BiFunction<Mutiny.Session, Envelope, Uni<Void>> effect) {
        Envelope env;
        try {
            env = Envelope.of(msg);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering malformed message for %s: %s", consumer, e.getMessage());
            return Uni.createFrom().completionStage(msg.nack(e));
        }
        // one message on its own context: what it logs carries its session, consumer and provider
        LogContext.of(env.event());
        return process(consumer, env, effect)
                .onFailure(t -> !(t instanceof MalformedEventException))
                .retry()
                .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
                .atMost(8)
                .onItemOrFailure()
                .transformToUni((outcome, failure) -> {
                    if (failure != null) {
                        LOG.errorf(
                                "dead-lettering %s %s for %s: %s",
                                env.type(), env.eventId(), consumer, failure.getMessage());
                        return Uni.createFrom().completionStage(msg.nack(failure));
                    }
                    return Uni.createFrom().completionStage(msg.ack());
                });
    }

    /** Outcome of {@link #processBatch}: how many events were applied and how many skipped as duplicates. */
    public record BatchOutcome(int applied, int duplicates) {}

    /** Ids recorded per insert statement: three parameters each, far below PostgreSQL's 32,767. */
    static final int RECORD_CHUNK = 1000;

    /**
     * Batch consumption: decodes every record of {@code batch} (malformed → nacked alone, so the
     * channel dead-letters it with its reason), then {@link #processBatch} for the others; if that
     * transaction fails, each record goes through {@link #handle} with {@code single} (its own
     * transaction, retries, dead letter). Acks the batch once every record has been dealt with.
     *
     * @param batch the batch message, acked at the end (its ack commits the latest offsets)
     * @param records its records in delivery order
     */
    public Uni<Void> handleBatch(
            Message<?> batch,
            List<? extends Message<String>> records,
            String consumer,
            BiFunction<Mutiny.Session, List<Envelope>, Uni<Void>> effect,
            BiFunction<Mutiny.Session, Envelope, Uni<Void>> single) {
        return handleBatch(batch, records, consumer, effect, single, e -> false);
    }

    /**
     * Same as {@link #handleBatch(Message, List, String, BiFunction, BiFunction)}, but an event that
     * {@code alone} picks (one whose effect waits on something slow, such as another service) gets
     * a transaction of its own at its place in the batch, so the events before it commit first and
     * the ones after it in the next transaction: the order stays the records' order.
     */
    public Uni<Void> handleBatch(
            Message<?> batch,
            List<? extends Message<String>> records,
            String consumer,
            BiFunction<Mutiny.Session, List<Envelope>, Uni<Void>> effect,
            BiFunction<Mutiny.Session, Envelope, Uni<Void>> single,
            Predicate<Envelope> alone) {
        List<List<Message<String>>> segments = new ArrayList<>();
        List<List<Envelope>> envelopes = new ArrayList<>();
        List<Message<String>> run = new ArrayList<>();
        List<Envelope> runEnvelopes = new ArrayList<>();
        Uni<Void> deadLetters = Uni.createFrom().voidItem();
        for (Message<String> msg : records) {
            Envelope env;
            try {
                env = Envelope.of(msg);
            } catch (MalformedEventException e) {
                LOG.warnf("dead-lettering malformed message for %s: %s", consumer, e.getMessage());
                deadLetters = deadLetters.chain(() -> Uni.createFrom().completionStage(() -> msg.nack(e)));
                continue;
            }
            if (alone.test(env)) {
                if (!run.isEmpty()) {
                    segments.add(run);
                    envelopes.add(runEnvelopes);
                    run = new ArrayList<>();
                    runEnvelopes = new ArrayList<>();
                }
                segments.add(List.of(msg));
                envelopes.add(List.of(env));
            } else {
                run.add(msg);
                runEnvelopes.add(env);
            }
        }
        if (!run.isEmpty()) {
            segments.add(run);
            envelopes.add(runEnvelopes);
        }
        Uni<Void> chain = deadLetters;
        for (int i = 0; i < segments.size(); i++) {
            List<Message<String>> msgs = segments.get(i);
            List<Envelope> envs = envelopes.get(i);
            chain = chain.chain(() -> segment(consumer, msgs, envs, effect, single));
        }
        return chain.chain(() -> Uni.createFrom().completionStage(batch::ack));
    }

    private Uni<Void> segment(
            String consumer,
            List<Message<String>> msgs,
            List<Envelope> envs,
            BiFunction<Mutiny.Session, List<Envelope>, Uni<Void>> effect,
            BiFunction<Mutiny.Session, Envelope, Uni<Void>> single) {
        // a batch arrives on the connector's context, not on an isolated one per message as a single
        // record does: Hibernate Reactive needs one of its own
        return SafeContext.run(
                vertx,
                () -> processBatch(consumer, LogContext.none(envs), effect)
                        .replaceWithVoid()
                        .onFailure()
                        .recoverWithUni(t -> {
                            LOG.warnf(
                                    "batch of %d for %s failed (%s): applying them one per transaction",
                                    envs.size(), consumer, t.getMessage());
                            return oneByOne(msgs, consumer, single);
                        }));
    }

    private Uni<Void> oneByOne(
            List<Message<String>> msgs, String consumer, BiFunction<Mutiny.Session, Envelope, Uni<Void>> single) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Message<String> msg : msgs) {
            chain = chain.chain(() -> handle(msg, consumer, single));
        }
        return chain;
    }

    /**
     * Records every event id of {@code envelopes} for {@code consumer} and applies {@code effect} to
     * the ones not recorded before, in ONE transaction. An id seen twice in the list counts once (its
     * first occurrence); the effect gets the fresh envelopes in list order.
     */
    public Uni<BatchOutcome> processBatch(
            String consumer, List<Envelope> envelopes, BiFunction<Mutiny.Session, List<Envelope>, Uni<Void>> effect) {
        Map<String, Envelope> first = new LinkedHashMap<>();
        envelopes.forEach(e -> first.putIfAbsent(e.eventId(), e));
        if (first.isEmpty()) {
            return Uni.createFrom().item(new BatchOutcome(0, envelopes.size()));
        }
        List<Envelope> unique = List.copyOf(first.values());
        return sessions.withTransaction((s, tx) -> record(s, consumer, unique).chain(fresh -> {
            List<Envelope> apply =
                    unique.stream().filter(e -> fresh.contains(e.eventId())).toList();
            Uni<Void> run = apply.isEmpty() ? Uni.createFrom().voidItem() : effect.apply(s, apply);
            return run.replaceWith(new BatchOutcome(apply.size(), envelopes.size() - apply.size()));
        }));
    }

    /** Inserts the ids (distinct) and returns those that were not there yet. */
    private Uni<Set<String>> record(Mutiny.Session s, String consumer, List<Envelope> unique) {
        Set<String> fresh = new HashSet<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < unique.size(); from += RECORD_CHUNK) {
            List<Envelope> chunk = unique.subList(from, Math.min(unique.size(), from + RECORD_CHUNK));
            chain = chain.chain(() -> recordChunk(s, consumer, chunk).invoke(fresh::addAll))
                    .replaceWithVoid();
        }
        return chain.replaceWith(fresh);
    }

    private Uni<List<String>> recordChunk(Mutiny.Session s, String consumer, List<Envelope> chunk) {
        StringBuilder sql = new StringBuilder("with ins as (insert into ")
                .append(table)
                .append(" (consumer, event_id, event_type) values ");
        for (int i = 0; i < chunk.size(); i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append("(?1, ?")
                    .append(2 + 2 * i)
                    .append(", ?")
                    .append(3 + 2 * i)
                    .append(')');
        }
        sql.append(" on conflict do nothing returning event_id) select event_id from ins");
        var query = s.createNativeQuery(sql.toString(), String.class).setParameter(1, consumer);
        for (int i = 0; i < chunk.size(); i++) {
            query.setParameter(2 + 2 * i, chunk.get(i).eventId());
            query.setParameter(3 + 2 * i, chunk.get(i).type());
        }
        return query.getResultList();
    }

    /** Records {@code env} for {@code consumer} and applies {@code effect} in one transaction. */
    public Uni<Outcome> process(String consumer, Envelope env, BiFunction<Mutiny.Session, Envelope, Uni<Void>> effect) {
        return sessions.withTransaction((s, tx) -> s.createNativeQuery("insert into " + table
                        + " (consumer, event_id, event_type) values (?1, ?2, ?3) on conflict do nothing")
                .setParameter(1, consumer)
                .setParameter(2, env.eventId())
                .setParameter(3, env.type())
                .executeUpdate()
                .chain(inserted -> inserted == 0
                        ? Uni.createFrom().item(Outcome.DUPLICATE)
                        : effect.apply(s, env).replaceWith(Outcome.APPLIED)));
    }

    /** Convenience for effects that only need the typed event. */
    public static <E extends BrokerEvent> E as(Envelope env, Class<E> type) {
        if (!type.isInstance(env.event())) {
            throw new MalformedEventException("expected " + type.getSimpleName() + " but got " + env.type());
        }
        return type.cast(env.event());
    }
}
