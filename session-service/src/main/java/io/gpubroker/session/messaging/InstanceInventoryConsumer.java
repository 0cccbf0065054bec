package io.gpubroker.session.messaging;

import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceListingFailed;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.repository.OrphanRepository;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionMetrics;
import io.gpubroker.session.service.SessionSteps;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Reconciliation from {@code instance.inventory}. A broker-tagged instance of THIS deployment that
 * no live session owns is an orphan and is destroyed — at once when its session is known (ended, or
 * live on another instance or provider), after the grace period when the session is unknown here; it
 * is commanded again at every listing that still shows it, once the last command is old enough. A live session whose instance is missing from a complete listing is checked with a
 * direct lookup first (DescribeInstance); only a confirmed "gone" fails it. A failed or partial
 * listing changes nothing.
 */
@ApplicationScoped
public class InstanceInventoryConsumer {
    private static final Logger LOG = Logger.getLogger(InstanceInventoryConsumer.class);
    static final String CONSUMER = "session.instance-inventory";

    private final Inbox inbox;
    private final BrokerClock.Scaled clock;
    private final SessionMetrics metrics;
    private final SessionRepository sessions;
    private final OrphanRepository orphans;
    private final ProvisionSessionSaga saga;
    private final SessionSteps steps;
    private final String deployment;

    public InstanceInventoryConsumer(
            Inbox inbox,
            BrokerClock.Scaled clock,
            SessionMetrics metrics,
            SessionRepository sessions,
            OrphanRepository orphans,
            ProvisionSessionSaga saga,
            SessionSteps steps,
            @ConfigProperty(name = "broker.deployment", defaultValue = "local") String deployment) {
        this.inbox = inbox;
        this.clock = clock;
        this.metrics = metrics;
        this.sessions = sessions;
        this.orphans = orphans;
        this.saga = saga;
        this.steps = steps;
        this.deployment = deployment;
    }

    @Incoming("instance-inventory")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session tx, Envelope env) {
        if (env.event() instanceof InstanceListingFailed f) {
            LOG.infof(
                    "instance listing of %s failed (%s): reconciliation skipped, nothing changes",
                    f.provider(), f.message());
            return Uni.createFrom().voidItem();
        }
        if (!(env.event() instanceof InstanceListing l)) {
            return Uni.createFrom().voidItem();
        }
        if (l.deployment() != null && !l.deployment().equals(deployment)) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        List<InstanceListing.ListedInstance> ours = l.instances().stream()
                .filter(i -> i.sessionId() != null && i.tag() != null && i.tag().contains("-" + deployment + "-"))
                .toList();
        Set<String> sessionIds =
                ours.stream().map(InstanceListing.ListedInstance::sessionId).collect(Collectors.toSet());
        return sessions.byIds(tx, sessionIds).chain(known -> {
            Map<String, Session> byId = known.stream().collect(Collectors.toMap(s -> s.id, s -> s));
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (InstanceListing.ListedInstance i : ours) {
                if (saga.isOrphan(byId.get(i.sessionId()), l.provider(), i, now)) {
                    Session owner = byId.get(i.sessionId());
                    chain = chain.call(() -> orphan(tx, l.provider(), i, owner, now));
                }
            }
            if (l.complete()) {
                chain = chain.call(() -> confirmMissing(tx, l.provider(), l.instances(), now));
            }
            return chain;
        });
    }

    /** Commands an orphan's destruction unless it was commanded recently (then the outcome is awaited). */
    private Uni<Void> orphan(
            Mutiny.Session tx, String provider, InstanceListing.ListedInstance i, Session known, Instant now) {
        return orphans.claimCommand(
                        tx,
                        provider,
                        i.instanceId(),
                        i.tag(),
                        "listed without a session that wants it",
                        now,
                        now.minus(saga.orphanResendAfter()))
                .chain(claim -> {
                    if (claim == OrphanRepository.Claim.NOT_DUE) {
                        return Uni.createFrom().voidItem();
                    }
                    if (claim == OrphanRepository.Claim.NEW) {
                        metrics.orphanDetected(provider);
                        LOG.warnf("orphan %s/%s (tag %s): destroying", provider, i.instanceId(), i.tag());
                        // first sight: billing learns the orphan exists (it bills from its creation)
                        return steps.append(tx, saga.onOrphanBilled(known, provider, i, now));
                    }
                    return steps.append(tx, saga.onOrphan(provider, i, now));
                });
    }

    private Uni<Void> confirmMissing(
            Mutiny.Session tx, String provider, List<InstanceListing.ListedInstance> listed, Instant now) {
        Set<String> present = new HashSet<>();
        listed.forEach(i -> present.add(i.instanceId()));
        return sessions.holdingInstances(tx, provider).chain(live -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Session s : live) {
                if (!present.contains(s.host.instanceId)) {
                    chain = chain.call(() -> steps.append(tx, saga.onMissingFromListing(s, now)));
                }
            }
            return chain;
        });
    }
}
