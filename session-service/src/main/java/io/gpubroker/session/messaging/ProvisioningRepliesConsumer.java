package io.gpubroker.session.messaging;

import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.TerminateFailed;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.repository.PolicyRepository;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.saga.Step;
import io.gpubroker.session.service.PolicyCheck;
import io.gpubroker.session.service.RetryPlanner;
import io.gpubroker.session.service.SessionMetrics;
import io.gpubroker.session.service.SessionSteps;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Feeds provider-gateway's outcomes into the saga, exactly once per reply. When the saga wants
 * another offer for a failure, the offer is looked up first and handed to it with the reply.
 *
 * <p>Consumes a whole poll per transaction (docs/adr/0015): the replies are applied one after the
 * other in offset order (a session's replies share a partition; a session seen twice in a batch is
 * the same locked, managed row, so the second step sees the first). A reply that may ask
 * inventory-service for another offer ({@code ProvisionFailed}, {@code InstanceTerminated}) gets a
 * transaction of its own at its place, so no HTTP call holds the locks of a whole batch.
 */
@ApplicationScoped
public class ProvisioningRepliesConsumer {
    static final String CONSUMER = "session.provisioning-replies";

    private final Inbox inbox;
    private final SessionSteps steps;
    private final SessionRepository sessions;
    private final ProvisionSessionSaga saga;
    private final SessionMetrics metrics;
    private final RetryPlanner retries;
    private final PolicyRepository policies;

    public ProvisioningRepliesConsumer(
            Inbox inbox,
            SessionSteps steps,
            SessionRepository sessions,
            ProvisionSessionSaga saga,
            SessionMetrics metrics,
            RetryPlanner retries,
            PolicyRepository policies) {
        this.policies = policies;
        this.inbox = inbox;
        this.steps = steps;
        this.sessions = sessions;
        this.saga = saga;
        this.metrics = metrics;
        this.retries = retries;
    }

    @Incoming("provisioning-replies")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return consume(batch, batch.getRecords());
    }

    /** One poll: {@code batch} is acked once each of {@code records} is applied, skipped or dead-lettered. */
    public Uni<Void> consume(Message<?> batch, List<? extends Message<String>> records) {
        return inbox.handleBatch(
                batch, records, CONSUMER, this::applyAll, this::apply, ProvisioningRepliesConsumer::mayLookUpAnOffer);
    }

    static boolean mayLookUpAnOffer(Envelope env) {
        return env.event() instanceof ProvisionFailed || env.event() instanceof InstanceTerminated;
    }

    Uni<Void> applyAll(Mutiny.Session tx, List<Envelope> envelopes) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Envelope env : envelopes) {
            chain = chain.chain(() -> apply(tx, env));
        }
        return chain;
    }

    /**
     * The offer a failover moves {@code s} to: never one it was on, only what the consumer's policy still
     * admits with the session's own share left out — under the consumer's lock, as a create would be.
     */
    private Uni<Offer> nextOffer(Mutiny.Session tx, Session s, String failedMachine) {
        return sessions.lockConsumer(tx, s.consumerId)
                .chain(() -> policies.find(tx, s.consumerId))
                .chain(p -> (p == null
                                ? Uni.createFrom().item(new PolicyCheck.Usage(0, 0, java.math.BigDecimal.ZERO))
                                : policies.usage(tx, s.consumerId, s.id))
                        .chain(u -> sessions.triedOffers(tx, s.id)
                                .chain(tried -> retries.nextOffer(
                                        s,
                                        failedMachine,
                                        tried,
                                        o -> PolicyCheck.refusal(p, u, o, s.terms.reservationHours, false) == null))));
    }

    Uni<Void> apply(Mutiny.Session tx, Envelope env) {
        if (env.event() instanceof InstanceProvisioned e) {
            return steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onProvisionedBilled(s, e, now));
        }
        if (env.event() instanceof ProvisionFailed e) {
            return sessions.find(tx, e.sessionId())
                    .chain(s -> s == null || !saga.wantsOfferAfter(s, e, steps.now())
                            ? Uni.createFrom().<Offer>nullItem()
                            : nextOffer(tx, s, e.machineId()))
                    .chain(next ->
                            steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onProvisionFailed(s, e, next, now)));
        }
        if (env.event() instanceof InstanceStatus e) {
            return steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onStatus(s, e, now));
        }
        if (env.event() instanceof InstanceTerminated e) {
            // a host that failed verification is gone: with auto_retry the session moves to another offer
            return sessions.find(tx, e.sessionId()).chain(s -> {
                if (s == null) {
                    // an orphan of a session this deployment does not know: billing still learns it is gone
                    return e.instanceId() == null
                            ? Uni.createFrom().voidItem()
                            : steps.append(
                                    tx,
                                    new Step()
                                            .emit(ProvisionSessionSaga.instanceGone(
                                                    e.sessionId(), null, e, e.instanceId())));
                }
                return (!saga.wantsOfferAfterDestroy(s, steps.now())
                                ? Uni.createFrom().<Offer>nullItem()
                                : nextOffer(tx, s, s.offer.machineId))
                        .chain(next -> steps.applyIn(
                                tx, e.sessionId(), (locked, now) -> saga.onTerminatedBilled(locked, e, next, now)));
            });
        }
        if (env.event() instanceof TerminateFailed e) {
            metrics.destroyFailed(e.provider());
            return steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onTerminateFailed(s, e, now));
        }
        return Uni.createFrom().voidItem();
    }
}
