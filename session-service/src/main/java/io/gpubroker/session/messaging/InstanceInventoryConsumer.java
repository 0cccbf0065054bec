package io.gpubroker.session.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceListingFailed;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.repository.OrphanRepository;
import io.gpubroker.session.service.SessionMetrics;
import io.smallrye.mutiny.Uni;
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
    private final OutboxWriter outbox;
    private final BrokerClock.Scaled clock;
    private final SessionConfig cfg;
    private final SessionMetrics metrics;
    private final OrphanRepository orphans;
    private final String deployment;

    public InstanceInventoryConsumer(Inbox inbox, OutboxWriter outbox, BrokerClock.Scaled clock, SessionConfig cfg,
                                     SessionMetrics metrics, OrphanRepository orphans,
                                     @ConfigProperty(name = "broker.deployment", defaultValue = "local") String deployment) {
        this.orphans = orphans;
        this.inbox = inbox;
        this.outbox = outbox;
        this.clock = clock;
        this.cfg = cfg;
        this.metrics = metrics;
        this.deployment = deployment;
    }

    @Incoming("instance-inventory")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session tx, Envelope env) {
        if (env.event() instanceof InstanceListingFailed f) {
            LOG.infof("instance listing of %s failed (%s): reconciliation skipped, nothing changes", f.provider(), f.message());
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
        Set<String> sessionIds = ours.stream().map(InstanceListing.ListedInstance::sessionId).collect(Collectors.toSet());
        Uni<List<Session>> known = sessionIds.isEmpty() ? Uni.createFrom().item(List.of())
                : tx.createQuery("from Session where id in (:ids)", Session.class).setParameter("ids", sessionIds).getResultList();
        return known.chain(sessions -> {
            Map<String, Session> byId = sessions.stream().collect(Collectors.toMap(s -> s.id, s -> s));
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (InstanceListing.ListedInstance i : ours) {
                Session s = byId.get(i.sessionId());
                if (!wanted(s, l.provider(), i, now)) {
                    chain = chain.call(() -> orphan(tx, l.provider(), i, now));
                }
            }
            if (l.complete()) {
                chain = chain.call(() -> confirmMissing(tx, l.provider(), l.instances(), now));
            }
            return chain;
        });
    }

    /**
     * Whether a listed instance still has a session that wants it. A known session wants only its own
     * instance on its own provider while it is live or stopping (a pending one: whatever its create
     * makes); an unknown session's instance may be a create whose session this replica has not seen
     * yet, so it gets the grace period — and an age that cannot be told (the provider's clock ahead
     * of ours) does not protect it.
     */
    boolean wanted(Session s, String provider, InstanceListing.ListedInstance i, Instant now) {
        if (s != null) {
            return (s.status.live() || s.status == SessionStatus.stopping) && provider.equals(s.provider)
                    && (s.instanceId == null || s.instanceId.equals(i.instanceId()));
        }
        if (i.createdAt() == null || i.createdAt().isAfter(now)) {
            return false;
        }
        return Duration.between(i.createdAt(), now).compareTo(cfg.orphanGrace()) < 0;
    }

    private Uni<Void> orphan(Mutiny.Session tx, String provider, InstanceListing.ListedInstance i, Instant now) {
        return orphans.claimCommand(tx, provider, i.instanceId(), i.tag(), "listed without a session that wants it", now,
                        now.minus(cfg.terminateRetryMin()))
                .chain(claim -> {
                    if (claim == OrphanRepository.Claim.NOT_DUE) {
                        return Uni.createFrom().voidItem(); // commanded recently: wait for the outcome
                    }
                    if (claim == OrphanRepository.Claim.NEW) {
                        metrics.orphanDetected(provider);
                        LOG.warnf("orphan %s/%s (tag %s): destroying", provider, i.instanceId(), i.tag());
                    }
                    return outbox.append(tx, "session", new TerminateInstance(UUID.randomUUID().toString(), i.sessionId(),
                            provider, i.instanceId(), "orphan", now)).replaceWithVoid();
                });
    }

    private Uni<Void> confirmMissing(Mutiny.Session tx, String provider, List<InstanceListing.ListedInstance> listed, Instant now) {
        Set<String> present = new HashSet<>();
        listed.forEach(i -> present.add(i.instanceId()));
        return tx.createQuery("from Session where provider = :p and status in (:st) and instanceId is not null", Session.class)
                .setParameter("p", provider)
                .setParameter("st", List.of(SessionStatus.provisioning, SessionStatus.running))
                .getResultList()
                .chain(live -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Session s : live) {
                        Instant since = s.provisioningStartedAt != null ? s.provisioningStartedAt : s.createdAt;
                        if (!present.contains(s.instanceId) && Duration.between(since, now).compareTo(cfg.orphanGrace()) >= 0) {
                            // missing from the list is not proof: ask the provider directly
                            chain = chain.call(() -> outbox.append(tx, "session",
                                    new DescribeInstance(UUID.randomUUID().toString(), s.id, s.provider, s.instanceId, now)));
                        }
                    }
                    return chain;
                });
    }
}
