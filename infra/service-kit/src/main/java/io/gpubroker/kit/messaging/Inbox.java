package io.gpubroker.kit.messaging;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.MalformedEventException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.BiFunction;
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
 */
@ApplicationScoped
public class Inbox {
    private static final Logger LOG = Logger.getLogger(Inbox.class);

    private final Mutiny.SessionFactory sessions;
    private final String table;

    public Inbox(Mutiny.SessionFactory sessions, @ConfigProperty(name = "broker.db.schema") String schema) {
        this.sessions = sessions;
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
