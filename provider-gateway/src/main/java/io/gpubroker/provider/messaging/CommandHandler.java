package io.gpubroker.provider.messaging;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.TerminateFailed;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.gpubroker.provider.adapter.BrokerState;
import io.gpubroker.provider.adapter.ErrorClass;
import io.gpubroker.provider.adapter.InstanceView;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.adapter.ProvisionSpec;
import io.gpubroker.provider.config.GatewayConfig;
import io.gpubroker.provider.config.Ownership;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.config.Providers.Provider;
import io.gpubroker.provider.intent.Intent;
import io.gpubroker.provider.repository.IntentRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * What each command does. Provision: intent first (with the inbox row, one transaction), then the
 * provider, then the instance id as soon as known, then the outcome together with the outbox reply —
 * so a redelivered command resumes (an id known → no create; no id but maybe created → find by tag)
 * and a replayed one gets the first outcome again. A create is never begun past its deadline: it is
 * answered "expired" instead (a resumed one still adopts what an earlier try created, so nothing
 * created is ever left unreported). Terminate and describe are idempotent provider
 * calls; their reply is written with the inbox row, so a duplicate delivery replies once.
 */
@ApplicationScoped
public class CommandHandler {
    static final String CONSUMER = "provider.provisioning-requests";
    static final String AGGREGATE = "provider";
    private static final Logger LOG = Logger.getLogger(CommandHandler.class);

    private final Inbox inbox;
    private final OutboxWriter outbox;
    private final IntentRepository intents;
    private final Providers providers;
    private final Ownership ownership;
    private final Mutiny.SessionFactory sessions;
    private final BrokerClock.Scaled clock;
    private final Duration confirmTimeout;
    private final Duration confirmPoll;
    /** How long an order with a lost answer may take to appear in the listing (tag-after-create providers). */
    private final Duration adoptWait;

    private final CommandLag lag;

    public CommandHandler(
            Inbox inbox,
            OutboxWriter outbox,
            IntentRepository intents,
            Providers providers,
            Ownership ownership,
            Mutiny.SessionFactory sessions,
            BrokerClock.Scaled clock,
            CommandLag lag,
            GatewayConfig.Terminate terminate,
            GatewayConfig.Create create) {
        this.adoptWait = create.adoptWait();
        this.lag = lag;
        this.inbox = inbox;
        this.outbox = outbox;
        this.intents = intents;
        this.providers = providers;
        this.ownership = ownership;
        this.sessions = sessions;
        this.clock = clock;
        this.confirmTimeout = terminate.confirmTimeout();
        this.confirmPoll = terminate.confirmPoll();
    }

    // ------------------------------------------------------------------ provision

    public Uni<Void> provision(Envelope env, ProvisionInstance c) {
        Provider p = providers.get(c.provider()).orElseThrow();
        String tag = ownership.tagFor(c.sessionId());
        AtomicBoolean inserted = new AtomicBoolean();
        return inbox.process(
                        CONSUMER,
                        env,
                        (db, e) -> intents.insertIfAbsent(db, c, tag)
                                .invoke(inserted::set)
                                .replaceWithVoid())
                .chain(outcome -> sessions.withTransaction((db, tx) ->
                                intents.countAttempt(db, c.commandId()).chain(n -> intents.find(db, c.commandId())))
                        .chain(intent -> {
                            if (intent.finished()) {
                                if (outcome == Inbox.Outcome.DUPLICATE) {
                                    return Uni.createFrom().voidItem(); // its reply was committed with the outcome
                                }
                                LOG.infof(
                                        "command %s replayed: answering with its first outcome %s",
                                        c.commandId(), intent.outcomeType());
                                BrokerEvent first = EventCatalog.fromJson(intent.outcomeType(), intent.outcome());
                                return sessions.withTransaction((db, tx) -> outbox.append(db, AGGREGATE, first))
                                        .replaceWithVoid();
                            }
                            boolean fresh = outcome == Inbox.Outcome.APPLIED && inserted.get();
                            return execute(p, c, ProvisionSpec.of(c, tag), intent, fresh);
                        }));
    }

    /** The create (or its resumption), then the post-create steps, then the outcome. */
    private Uni<Void> execute(Provider p, ProvisionInstance c, ProvisionSpec spec, Intent intent, boolean fresh) {
        return Blocking.run(() -> obtainInstance(p, spec, intent, fresh, c)).chain(obtained -> {
            if (obtained.failure() != null) {
                return finish(c, failed(c, obtained.failure()));
            }
            String id = obtained.instanceId();
            Uni<Integer> persist = id.equals(intent.instanceId())
                    ? Uni.createFrom().item(0)
                    : sessions.withTransaction((db, tx) -> intents.recordInstance(db, c.commandId(), id));
            return persist.chain(x -> Blocking.run(() -> afterCreate(p, spec, id)))
                    .chain(reply -> finish(c, reply.apply(c)));
        });
    }

    /**
     * Checked right before the create (after any wait for the provider's lock): past its deadline the
     * session has stopped waiting, and an instance created now would bill for nobody.
     */
    private Obtained expired(Provider p, ProvisionInstance c) {
        Instant now = clock.instant();
        if (!c.expiredAt(now)) {
            return null;
        }
        lag.expired(p.name(), "ProvisionInstance");
        LOG.warnf(
                "create for session %s dropped: its deadline passed %d s (broker time) before it could begin",
                c.sessionId(), Duration.between(c.deadline(), now).toSeconds());
        return new Obtained(
                null,
                ProviderException.of(
                        ErrorClass.EXPIRED,
                        "the create waited in provider-gateway's queue"
                                + " past its deadline and was not begun (queue lag "
                                + String.format(java.util.Locale.ROOT, "%.1f", lag.lastLagSeconds(p.name()))
                                + " s real); nothing was created"));
    }

    /** Instance id or failure of the create step. */
    record Obtained(String instanceId, ProviderException failure) {}

    private Obtained obtainInstance(Provider p, ProvisionSpec spec, Intent intent, boolean fresh, ProvisionInstance c) {
        try {
            if (intent.instanceId() != null) {
                return new Obtained(intent.instanceId(), null);
            }
            if (!fresh) {
                // a previous attempt may have created it before we could store the id
                String found = findByTag(p, spec.tag());
                if (found != null) {
                    LOG.infof(
                            "command for session %s resumed: adopting instance %s found by tag",
                            spec.sessionId(), found);
                    return new Obtained(found, null);
                }
            }
            if (p.adapter().tagsAfterCreate()) {
                synchronized (p) {
                    Obtained late = expired(p, c);
                    return late != null ? late : createAdoptingUntagged(p, spec);
                }
            }
            Obtained late = expired(p, c);
            return late != null ? late : create(p, spec, null);
        } catch (ProviderException e) {
            return new Obtained(null, e);
        }
    }

    private Obtained create(Provider p, ProvisionSpec spec, java.util.Set<String> before) {
        try {
            return new Obtained(p.guard().callOnce("create", () -> p.adapter().create(spec)), null);
        } catch (ProviderException e) {
            if (!e.maybeApplied()) {
                throw e;
            }
            // the create timed out without an id: it may exist — find it by its tag, never create again
            String found = findByTag(p, spec.tag());
            if (found == null && before != null) {
                // the provider may still be working on it: watch the listing for a while
                long until = System.nanoTime() + adoptWait.toNanos();
                do {
                    found = adoptUntagged(p, before);
                    if (found == null) {
                        sleep(Duration.ofSeconds(2));
                    }
                } while (found == null && System.nanoTime() < until);
            }
            if (found != null) {
                return new Obtained(found, null);
            }
            throw e;
        }
    }

    /**
     * One create at a time for a provider that tags after creating: the instances listed before it
     * are known, so an untagged one listed after a create with an unknown outcome is this create's.
     */
    private Obtained createAdoptingUntagged(Provider p, ProvisionSpec spec) {
        java.util.Set<String> before = new java.util.HashSet<>();
        p.guard().call("list", () -> p.adapter().listInstances()).forEach(v -> before.add(v.instanceId()));
        return create(p, spec, before);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderException.of(ErrorClass.TRANSIENT, "interrupted while adopting");
        }
    }

    private String adoptUntagged(Provider p, java.util.Set<String> before) {
        List<InstanceView> fresh = p.guard().call("list", () -> p.adapter().listInstances()).stream()
                .filter(v -> !before.contains(v.instanceId())
                        && v.brokerState() != BrokerState.GONE
                        && (v.tag() == null || !ownership.isBrokerTag(v.tag())))
                .toList();
        if (fresh.size() != 1) {
            if (!fresh.isEmpty()) {
                LOG.warnf(
                        "%s: %d new untagged instances after a create with an unknown outcome; adopting none",
                        p.name(), fresh.size());
            }
            return null;
        }
        LOG.infof(
                "%s: create timed out; adopting the one new untagged instance %s",
                p.name(), fresh.get(0).instanceId());
        return fresh.get(0).instanceId();
    }

    /** A reply builder: the post-create steps and first view, or a failure (after cleaning up). */
    interface ReplyFor {
        BrokerEvent apply(ProvisionInstance c);
    }

    private ReplyFor afterCreate(Provider p, ProvisionSpec spec, String id) {
        try {
            p.guard().call("after_create", () -> {
                p.adapter().afterCreate(id, spec);
                return null;
            });
        } catch (ProviderException e) {
            LOG.warnf(
                    "post-create step for %s instance %s failed (%s): destroying it",
                    p.name(), id, e.errorClass().wire());
            try {
                p.guard().call("destroy", () -> {
                    p.adapter().destroy(id);
                    return null;
                });
            } catch (ProviderException ignored) {
                // the tagged instance is left to orphan detection
            }
            return c -> failed(c, e);
        }
        InstanceView v = null;
        try {
            v = p.guard().call("describe", () -> p.adapter().describe(id, spec.sshPublicKeys()));
        } catch (ProviderException e) {
            // the create succeeded; its details come with DescribeInstance
        }
        InstanceView view = v;
        // a host key is reported only with a running view (pinned); a key merely seen is pinned by the first
        // DescribeInstance
        String hostKey = view != null && view.brokerState() == BrokerState.RUNNING ? view.sshHostKey() : null;
        return c -> new InstanceProvisioned(
                c.commandId(),
                c.sessionId(),
                c.provider(),
                c.offerId(),
                id,
                spec.tag(),
                view == null ? null : view.sshHost(),
                view == null ? null : view.sshPort(),
                view == null ? null : view.sshUser(),
                hostKey,
                view == null ? "created" : view.providerState(),
                clock.instant());
    }

    private ProvisionFailed failed(ProvisionInstance c, ProviderException e) {
        return new ProvisionFailed(
                c.commandId(),
                c.sessionId(),
                c.provider(),
                c.offerId(),
                c.provisioning().get("machine_id"),
                e.errorClass().wire(),
                e.getMessage(),
                e.errorClass().retryable(),
                clock.instant());
    }

    private Uni<Void> finish(ProvisionInstance c, BrokerEvent reply) {
        return sessions.withTransaction((db, tx) -> intents.finish(db, c.commandId(), reply)
                .chain(n -> n == 1
                        ? outbox.append(db, AGGREGATE, reply).replaceWithVoid()
                        : Uni.createFrom().voidItem()));
    }

    private String findByTag(Provider p, String tag) {
        List<InstanceView> all = p.guard().call("list", () -> p.adapter().listInstances());
        return all.stream()
                .filter(v -> tag.equals(v.tag()) && v.brokerState() != BrokerState.GONE)
                .map(InstanceView::instanceId)
                .findFirst()
                .orElse(null);
    }

    // ------------------------------------------------------------------ terminate

    public Uni<Void> terminate(Envelope env, TerminateInstance c) {
        Provider p = providers.get(c.provider()).orElseThrow();
        return Blocking.run(() -> terminateNow(p, c))
                .chain(reply -> inbox.process(
                        CONSUMER,
                        env,
                        (db, e) -> outbox.append(db, AGGREGATE, reply).replaceWithVoid()))
                .replaceWithVoid();
    }

    private BrokerEvent terminateNow(Provider p, TerminateInstance c) {
        String tag = ownership.tagFor(c.sessionId());
        try {
            List<String> ids = new ArrayList<>();
            if (c.instanceId() != null && !c.instanceId().isBlank()) {
                ids.add(c.instanceId());
            } else {
                List<InstanceView> all =
                        p.guard().call("list", () -> p.adapter().listInstances());
                all.stream()
                        .filter(v -> tag.equals(v.tag()) && v.brokerState() != BrokerState.GONE)
                        .forEach(v -> ids.add(v.instanceId()));
            }
            for (String id : ids) {
                InstanceView before =
                        p.guard().call("describe", () -> p.adapter().describe(id, List.of()));
                if (before.brokerState() == BrokerState.GONE) {
                    continue;
                }
                if (before.tag() != null && !before.tag().equals(tag)) {
                    // never touch an instance this session does not own
                    return new TerminateFailed(
                            c.commandId(),
                            c.sessionId(),
                            c.provider(),
                            id,
                            ErrorClass.INVALID.wire(),
                            "instance " + id + " is not tagged for session " + c.sessionId(),
                            clock.instant());
                }
                p.guard().call("destroy", () -> {
                    p.adapter().destroy(id);
                    return null;
                });
                confirmGone(p, id);
            }
            return new InstanceTerminated(
                    c.commandId(),
                    c.sessionId(),
                    c.provider(),
                    c.instanceId() != null ? c.instanceId() : ids.isEmpty() ? null : ids.get(0),
                    clock.instant());
        } catch (ProviderException e) {
            return new TerminateFailed(
                    c.commandId(),
                    c.sessionId(),
                    c.provider(),
                    c.instanceId(),
                    e.errorClass().wire(),
                    e.getMessage(),
                    clock.instant());
        }
    }

    /** Destroy calls may be asynchronous (Barrack DELETING): only the provider saying "gone" counts. */
    private void confirmGone(Provider p, String id) {
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        while (true) {
            InstanceView v = p.guard().call("describe", () -> p.adapter().describe(id, List.of()));
            if (v.brokerState() == BrokerState.GONE) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw ProviderException.of(
                        ErrorClass.TRANSIENT, "instance " + id + " still " + v.providerState() + " after destroy");
            }
            try {
                Thread.sleep(confirmPoll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ProviderException.of(ErrorClass.TRANSIENT, "interrupted while confirming destruction");
            }
        }
    }

    // ------------------------------------------------------------------ describe

    public Uni<Void> describe(Envelope env, DescribeInstance c) {
        Provider p = providers.get(c.provider()).orElseThrow();
        return sessions.withSession(db -> intents.accessOf(db, c.provider(), c.instanceId()))
                .chain(access -> Blocking.run(() -> describeNow(p, c, access))
                        .chain(reply -> inbox.process(
                                CONSUMER,
                                env,
                                (db, e) -> pinFirst(db, c, access, reply)
                                        .chain(() -> outbox.append(db, AGGREGATE, reported(reply)))
                                        .replaceWithVoid())))
                .replaceWithVoid();
    }

    /** A host key the adapter saw on an unpinned instance is pinned (with the reply, one transaction). */
    private Uni<Integer> pinFirst(
            Mutiny.Session db, DescribeInstance c, IntentRepository.HostAccess access, InstanceStatus reply) {
        if (access.hostKey() != null || reply.sshHostKey() == null) {
            return Uni.createFrom().item(0);
        }
        return intents.pinHostKey(db, c.provider(), c.instanceId(), reply.sshHostKey());
    }

    /** Only a running instance's key is the pin session-service must require; a key just seen is not reported yet. */
    private static InstanceStatus reported(InstanceStatus r) {
        if (r.sshHostKey() == null || "running".equals(r.brokerState()) || "failed".equals(r.brokerState())) {
            return r;
        }
        return new InstanceStatus(
                r.commandId(),
                r.sessionId(),
                r.provider(),
                r.instanceId(),
                r.providerState(),
                r.brokerState(),
                r.sshHost(),
                r.sshPort(),
                r.sshUser(),
                null,
                r.apiEndpoint(),
                r.errorClass(),
                r.observedAt());
    }

    private InstanceStatus describeNow(Provider p, DescribeInstance c, IntentRepository.HostAccess access) {
        try {
            InstanceView v = p.guard()
                    .call("describe", () -> p.adapter().describe(c.instanceId(), access.keys(), access.hostKey()));
            return new InstanceStatus(
                    c.commandId(),
                    c.sessionId(),
                    c.provider(),
                    c.instanceId(),
                    v.providerState(),
                    v.brokerState().wire(),
                    v.sshHost(),
                    v.sshPort(),
                    v.sshUser(),
                    v.sshHostKey(),
                    v.apiEndpoint(),
                    null,
                    clock.instant());
        } catch (ProviderException e) {
            return new InstanceStatus(
                    c.commandId(),
                    c.sessionId(),
                    c.provider(),
                    c.instanceId(),
                    null,
                    "unknown",
                    null,
                    null,
                    null,
                    null,
                    e.errorClass().wire(),
                    clock.instant());
        }
    }

    /** For tests and the REST surface: a provider's view of one instance. */
    public InstanceView describeDirect(String provider, String instanceId, List<String> keys) {
        Provider p = providers.get(provider).orElseThrow();
        return p.guard().call("describe", () -> p.adapter().describe(instanceId, keys));
    }

    static Instant now() {
        return Instant.now();
    }
}
