package io.gpubroker.session.saga;

import io.gpubroker.contracts.InstanceCreated;
import io.gpubroker.contracts.InstanceGone;
import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.SessionExtended;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionProvisioning;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.contracts.SessionStopping;
import io.gpubroker.contracts.TerminateFailed;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.app.AppLaunch;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.ssh.HostReport;
import io.gpubroker.session.ssh.HostTruth;
import io.gpubroker.session.ssh.SessionKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The session saga as a table of steps, readable top to bottom. Pure: it changes the session it
 * is given and returns what to publish; the caller persists both in one transaction.
 *
 * <pre>
 * create            → pending,      ProvisionInstance (with a deadline: not begun by then → never begun)
 * no reply by deadline + grace → failed (nothing was created, or a late instance is destroyed below)
 * InstanceProvisioned → provisioning, SessionProvisioning, poll status (DescribeInstance)
 * InstanceProvisioned nobody wants (an earlier attempt's, or the session ended) → TerminateInstance now
 * InstanceStatus running → verify SSH (real handshake, echo, nvidia-smi, host truth)
 * verified          → running,      SessionStarted (billing starts)
 * verified, entrypoint → docker run over SSH (VMs; container providers got a start command)
 *                     → app health 200 → running with api_endpoint, SessionStarted
 * ProvisionFailed   → failover: the next offer (the requirements' next match, or a comparable offer;
 *                     on by default, within max_retries and the failover window) | failed, SessionFailed; an older attempt's: ignored
 * running, only the user's key needed → the broker's key is removed from the host, its salt retired
 * heartbeat / GPU probe → activity (idle detection); extend → later expiry, never past the hard max
 * any failure after an instance exists → stopping (final: failed), TerminateInstance
 * done/delete/expiry/hard max/idle/budget → stopping (final: stopped), SessionStopping, TerminateInstance
 * InstanceTerminated → stopped (SessionStopped) | failed (SessionFailed), billing ends at the confirmation;
 *                     a host that never ran and failed its checks → failover to another offer, as above
 * TerminateFailed   → retry with backoff, forever; never stopped while the instance may bill
 * listing: an instance no live session wants → TerminateInstance (orphan); a running one missing → DescribeInstance
 * restart           → every running instance looked up (DescribeInstance); nothing is terminated for it
 * </pre>
 *
 * Consumers, timers, effects and the API only translate what arrived into one of these calls and
 * persist the returned {@link Step}; commands are built by {@link ProviderGatewayCommands}.
 */
@ApplicationScoped
public class ProvisionSessionSaga {
    /** Create failures another offer may fix. */
    static final Set<String> RETRYABLE =
            Set.of("stale_inventory", "no_capacity", "price_changed", "transient", "rate_limited");
    /**
     * Failures of a host that was created but did not verify: another host may well work. An app
     * that fails its first inference is usually the host's CUDA/driver (offers overstate it).
     */
    static final Set<String> RETRYABLE_AFTER_DESTROY =
            Set.of("host_mismatch", "verify_timeout", "instance_failed", "app_inference_failed");

    private final SessionConfig cfg;
    private final ProviderGatewayCommands gateway;
    final SagaTimings timings;

    @Inject
    public ProvisionSessionSaga(SessionConfig cfg, ProviderGatewayCommands gateway, BrokerClock.Scaled clock) {
        this(cfg, gateway, clock.scale());
    }

    /**
     * {@code clockScale} is the broker clock's speed: provider rate limits and provider-gateway's
     * queue run on real time, so waits for them have a real-time floor on a fast clock.
     */
    public ProvisionSessionSaga(SessionConfig cfg, ProviderGatewayCommands gateway, double clockScale) {
        this.cfg = cfg;
        this.gateway = gateway;
        this.timings = new SagaTimings(cfg, clockScale);
    }

    /** {@code publicKeys} gives the keys to inject: the user's and the broker's verification key. */
    public ProvisionSessionSaga(SessionConfig cfg, Function<Session, List<String>> publicKeys) {
        this(cfg, publicKeys, 1.0);
    }

    public ProvisionSessionSaga(SessionConfig cfg, Function<Session, List<String>> publicKeys, double clockScale) {
        this(cfg, new ProviderGatewayCommands(cfg, publicKeys), clockScale);
    }

    /** The first command of a new session (and of each retry on another offer). */
    public Step start(Session s, Instant now) {
        if (s.saga.failoverUntil == null) {
            // the first create opens the failover window: no move to another offer starts after it
            s.saga.failoverUntil = now.plus(timings.failoverWindow());
        }
        s.saga.provisionCommandId = ProviderGatewayCommands.commandId();
        s.saga.provisionSentAt = now;
        s.saga.provisionResends = 0;
        s.saga.provisionDeadlineAt = now.plus(timings.provisionDeadline());
        s.saga.nextCheckAt = timings.nextPendingCheck(s, now);
        return new Step().emit(gateway.provision(s, now));
    }

    static boolean entrypoint(Session s) {
        return s.terms.launchMode == LaunchMode.entrypoint;
    }

    /**
     * The gateway created an instance. It becomes the session's only if it answers the session's
     * current create and the session still wants one; any other instance — an earlier attempt's after
     * an auto-retry, one created after the session failed or ended, a second one for the same create —
     * is destroyed at once, not left billing until the orphan sweep.
     */
    public Step onProvisioned(Session s, InstanceProvisioned r, Instant now) {
        boolean current = s.saga.provisionCommandId == null || s.saga.provisionCommandId.equals(r.commandId());
        if (!current) {
            return unwanted(s, r, "an earlier attempt's instance (the session moved on)", now);
        }
        if (s.host.instanceId != null && !s.host.instanceId.equals(r.instanceId())) {
            return unwanted(s, r, "a second instance for one create", now);
        }
        if (s.status != SessionStatus.pending && s.status != SessionStatus.stopping && !s.status.live()) {
            // failed or stopped before the answer came: nothing may keep billing for it
            if (s.host.instanceId == null) {
                s.host.instanceId = r.instanceId();
            }
            return unwanted(s, r, "created after the session had " + s.status, now);
        }
        Step step = new Step();
        if (s.host.instanceId == null) {
            s.host.instanceId = r.instanceId();
        }
        applyHost(s, r.sshHost(), r.sshPort(), r.sshUser());
        pinHostKey(s, r.sshHostKey());
        if (s.status == SessionStatus.pending) {
            s.status = SessionStatus.provisioning;
            s.host.providerState = r.providerState();
            s.saga.provisioningStartedAt = now;
            s.saga.verifyDeadlineAt = now.plus(timings.verifyTimeout(s.terms.workloadType));
            s.saga.nextCheckAt = now;
            step.emit(new SessionProvisioning(
                    s.id, s.consumerId, s.offer.provider, s.offer.offerId, s.host.instanceId, now));
        } else if (s.status == SessionStatus.stopping) {
            // the user ended the session while the create was in flight: destroy what was created
            s.saga.nextCheckAt = now;
            step.emit(gateway.terminate(s, now));
        }
        return step;
    }

    /**
     * {@link #onProvisioned} plus the billing fact that the instance exists ({@code InstanceCreated}):
     * every instance the provider created for the session, wanted or not, bills from its creation.
     * The offer's price is known only for an instance of the session's current offer.
     */
    public Step onProvisionedBilled(Session s, InstanceProvisioned r, Instant now) {
        String offerBefore = s.offer.offerId;
        Step step = onProvisioned(s, r, now);
        boolean sameOffer = r.offerId() == null || r.offerId().equals(offerBefore);
        step.emit(new InstanceCreated(
                s.id,
                s.consumerId,
                r.provider(),
                r.instanceId(),
                step.unwanted().isEmpty() ? InstanceCreated.ATTEMPT : InstanceCreated.UNWANTED,
                r.offerId() != null ? r.offerId() : offerBefore,
                sameOffer ? s.offer.gpuType : null,
                sameOffer ? s.offer.pricePerHour : null,
                sameOffer ? s.offer.currency : null,
                r.provisionedAt()));
        return step;
    }

    /**
     * {@link #onTerminated(Session, InstanceTerminated, Offer, Instant)} plus the billing fact that the
     * instance is gone ({@code InstanceGone}, after the session's own events): any instance of the
     * session, its own or an unwanted/orphaned one. The instance is taken before the step (an auto-retry
     * clears it).
     */
    public Step onTerminatedBilled(Session s, InstanceTerminated r, Offer next, Instant now) {
        String instance = r.instanceId() != null ? r.instanceId() : s.host.instanceId;
        Step step = onTerminated(s, r, next, now);
        if (instance != null) {
            step.emit(instanceGone(s.id, s.consumerId, r, instance));
        }
        return step;
    }

    /** The billing fact for a confirmation about a session this service does not know (an orphan's). */
    public static InstanceGone instanceGone(
            String sessionId, String consumerId, InstanceTerminated r, String instance) {
        return new InstanceGone(sessionId, consumerId, r.provider(), instance, r.confirmedAt());
    }

    /**
     * A new orphan (found in a listing) bills from its creation at the provider: the billing fact is
     * published with the destroy command; its price is unknown here (billing uses the session's offer).
     */
    public Step onOrphanBilled(Session known, String provider, InstanceListing.ListedInstance i, Instant now) {
        return onOrphan(provider, i, now)
                .emit(new InstanceCreated(
                        i.sessionId(),
                        known == null ? null : known.consumerId,
                        provider,
                        i.instanceId(),
                        InstanceCreated.ORPHAN,
                        null,
                        null,
                        null,
                        null,
                        i.createdAt() != null && !i.createdAt().isAfter(now) ? i.createdAt() : now));
    }

    Step unwanted(Session s, InstanceProvisioned r, String why, Instant now) {
        return new Step().destroyUnwanted(gateway.destroyUnwanted(s, r, why, now));
    }

    /** A failure of the session's current create, with no other offer to try. */
    public Step onProvisionFailed(Session s, ProvisionFailed r, Instant now) {
        return onProvisionFailed(s, r, null, now);
    }

    /**
     * Whether a failed create is worth looking for another offer: it answers the current create,
     * another offer may fix its cause, and auto-retry has attempts left.
     */
    public boolean wantsOfferAfter(Session s, ProvisionFailed r, Instant now) {
        return s.status == SessionStatus.pending
                && currentCreate(s, r.commandId())
                && RETRYABLE.contains(r.errorClass())
                && attemptsLeft(s, now);
    }

    /**
     * The one failover condition every retry decision shares: on (the default), attempts left, and
     * still within the failover window counted from the create.
     */
    static boolean attemptsLeft(Session s, Instant now) {
        return s.terms.autoRetry
                && s.saga.retryCount < s.terms.maxRetries
                && (s.saga.failoverUntil == null || now.isBefore(s.saga.failoverUntil));
    }

    /**
     * A failure of the session's current create: auto-retry moves the session to {@code next} (null:
     * none found), otherwise it fails. A failure of an older attempt's create is stale and changes nothing.
     */
    public Step onProvisionFailed(Session s, ProvisionFailed r, Offer next, Instant now) {
        if (s.status != SessionStatus.pending || !currentCreate(s, r.commandId())) {
            return new Step();
        }
        if (RETRYABLE.contains(r.errorClass()) && mayRetry(s, next, r, now)) {
            return retryOn(s, next, r.errorClass() + ": " + r.message(), now);
        }
        return fail(s, "provisioning failed: " + r.message(), r.errorClass(), now);
    }

    /** Whether a reply answers the session's current create (not an attempt an auto-retry left). */
    static boolean currentCreate(Session s, String commandId) {
        return s.saga.provisionCommandId == null || s.saga.provisionCommandId.equals(commandId);
    }

    /** Whether a failed create may move the session to {@code next} (auto-retry). */
    static boolean mayRetry(Session s, Offer next, ProvisionFailed r, Instant now) {
        // an expired create means provider-gateway is behind: another offer would only queue behind it
        return next != null && attemptsLeft(s, now) && !"expired".equals(r.errorClass());
    }

    /** Auto-retry: move the session to {@code next} offer (same keys, same id) and provision again. */
    public Step retryOn(Session s, Offer next, String why, Instant now) {
        s.saga.lastAttemptFailure = why;
        s.saga.retryCount++;
        // the new offer is the truth the next host is checked against (retry_scope may change the GPU)
        s.offer.takeFrom(next);
        s.host.instanceId = null;
        s.host.sshHost = null;
        s.host.sshPort = null;
        s.host.sshUser = null;
        s.host.sshHostKey = null;
        s.host.apiEndpoint = null;
        s.host.instanceReady = false;
        s.saga.verifyAttempts = 0;
        s.saga.hostVerifiedAt = null;
        s.saga.appLaunchSentAt = null;
        s.saga.appLaunchedAt = null;
        s.saga.appDeadlineAt = null;
        s.saga.verifyDeadlineAt = null;
        s.saga.failureReason = null;
        s.saga.errorClass = null;
        s.saga.stopReason = null;
        s.saga.finalStatus = null;
        s.saga.terminateAttempts = 0;
        s.status = SessionStatus.pending;
        return start(s, now);
    }

    public Step onStatus(Session s, InstanceStatus r, Instant now) {
        Step step = new Step();
        if (r.instanceId() == null || !r.instanceId().equals(s.host.instanceId)) {
            return step; // a late answer about an instance the session has moved away from (auto-retry)
        }
        s.host.providerState = r.providerState();
        applyHost(s, r.sshHost(), r.sshPort(), r.sshUser());
        pinHostKey(s, r.sshHostKey());
        if (r.apiEndpoint() != null) {
            s.host.apiEndpoint = r.apiEndpoint();
        }
        String state = r.brokerState() == null ? "" : r.brokerState();
        switch (s.status) {
            case provisioning -> {
                if (state.equals("failed") || state.equals("gone")) {
                    return compensate(
                            s,
                            "instance " + (state.equals("gone") ? "vanished" : "failed (" + r.providerState() + ")")
                                    + " before SSH verification",
                            "instance_failed",
                            now);
                }
                if (state.equals("running")
                        && s.host.sshHost != null
                        && s.host.sshPort != null
                        && !s.host.instanceReady) {
                    s.host.instanceReady = true;
                    s.saga.nextCheckAt = now;
                }
            }
            case running -> {
                if (state.equals("gone") || state.equals("failed")) {
                    // the reconciliation's direct lookup confirmed it: the instance is not there any more
                    return compensate(
                            s,
                            "instance " + (state.equals("gone") ? "vanished" : "failed (" + r.providerState() + ")")
                                    + " while running",
                            "instance_lost",
                            now);
                }
            }
            default -> {}
        }
        return step;
    }

    /** A timer fired for {@code s}: decide the next move from its state. */
    public Step onCheck(Session s, Instant now) {
        switch (s.status) {
            case pending -> {
                if (s.saga.provisionDeadlineAt == null) {
                    // a create sent before deadlines existed: the old resend count
                    if (s.saga.provisionResends >= cfg.provisionMaxResends()) {
                        return fail(
                                s, "the provider gateway did not answer the provisioning request", "transient", now);
                    }
                    s.saga.provisionResends++;
                    s.saga.nextCheckAt = now.plus(cfg.provisionResendAfter());
                    return new Step().emit(gateway.provision(s, now));
                }
                if (!now.isBefore(s.saga.provisionDeadlineAt.plus(timings.provisionReplyGrace()))) {
                    // past its deadline the gateway never begins the create; one begun in time that answers
                    // later is destroyed on arrival (onProvisioned)
                    return fail(
                            s,
                            "provider-gateway did not answer the provisioning request before its deadline ("
                                    + timings.provisionDeadline().toSeconds()
                                    + " s broker time); nothing was created for it",
                            "gateway_timeout",
                            now);
                }
                s.saga.nextCheckAt = timings.nextPendingCheck(s, now);
                if (!now.isBefore(s.saga.provisionDeadlineAt)) {
                    return new Step(); // too late to ask again: wait for an answer to a create that began in time
                }
                // no reply yet: send the SAME command again; the gateway's intent log answers duplicates
                s.saga.provisionResends++;
                return new Step().emit(gateway.provision(s, now));
            }
            case provisioning -> {
                if (s.saga.hostVerifiedAt != null) {
                    return appCheck(s, now);
                }
                if (s.saga.verifyDeadlineAt != null && !now.isBefore(s.saga.verifyDeadlineAt)) {
                    return compensate(
                            s,
                            "SSH verification did not succeed within "
                                    + timings.verifyTimeout(s.terms.workloadType)
                                            .toMinutes() + " minutes"
                                    + (s.saga.failureReason != null ? " (last: " + s.saga.failureReason + ")" : ""),
                            "verify_timeout",
                            now);
                }
                s.saga.verifyAttempts++;
                s.saga.nextCheckAt = now.plus(timings.pollAfter(s.saga.verifyAttempts));
                if (s.host.instanceReady) {
                    return new Step().then(Step.Action.VERIFY_SSH);
                }
                // a lookup is stale once the next one is due: the gateway drops it rather than queue it
                return new Step().emit(gateway.describe(s, now, s.saga.nextCheckAt));
            }
            case running -> {
                if (!now.isBefore(s.lease.hardMaxAt)) {
                    return stop(s, StopReason.hard_max, now);
                }
                if (!now.isBefore(s.lease.expiresAt)) {
                    return stop(s, StopReason.expired, now);
                }
                Step step = new Step();
                if (s.lease.nextStatusAt == null || !now.isBefore(s.lease.nextStatusAt)) {
                    s.lease.nextStatusAt = now.plus(cfg.statusPollEvery());
                    step.emit(gateway.describe(s, now));
                }
                if (s.terms.idleThresholdMinutes > 0) {
                    Instant activity = s.lease.lastActivityAt != null ? s.lease.lastActivityAt : s.lease.startedAt;
                    Duration idleFor = Duration.between(activity, now);
                    if (idleFor.compareTo(Duration.ofMinutes(s.terms.idleThresholdMinutes)) >= 0) {
                        if (s.lease.idleWarnedAt == null) {
                            s.lease.idleWarnedAt = now;
                        } else if (!now.isBefore(s.lease.idleWarnedAt.plus(cfg.idleGrace()))) {
                            return stop(s, StopReason.idle, now);
                        }
                    }
                    if (s.lease.nextProbeAt == null || !now.isBefore(s.lease.nextProbeAt)) {
                        s.lease.nextProbeAt = now.plus(cfg.idleProbeEvery());
                        step.then(Step.Action.PROBE_GPU);
                    }
                }
                s.saga.nextCheckAt = timings.nextRunningCheck(s, now);
                return step;
            }
            case stopping -> {
                s.saga.terminateAttempts++;
                s.saga.nextCheckAt = now.plus(timings.terminateRetryAfter(s.saga.terminateAttempts));
                return new Step().emit(gateway.terminate(s, now));
            }
            default -> {
                s.saga.nextCheckAt = null;
                return new Step();
            }
        }
    }

    /** The result of a real SSH verification. */
    public Step onVerified(Session s, HostReport r, Instant now) {
        if (s.status != SessionStatus.provisioning) {
            return new Step();
        }
        // trust on first use: the first connection the broker's key got into pins the host key
        pinHostKey(s, r.hostKey());
        if (!r.ok()) {
            // keep polling until the deadline; the reason is shown if it never works
            s.saga.failureReason = r.failure() == HostReport.Failure.AUTH_REJECTED
                    ? "the host rejected the session's SSH key"
                    : "SSH: " + r.detail();
            return new Step();
        }
        if (s.saga.hostVerifiedAt != null) {
            return new Step();
        }
        String mismatch = HostTruth.mismatch(r, s.offer.gpuType, s.offer.gpuCount, s.offer.vramGb, s.offer.offerCuda);
        if (mismatch != null) {
            return compensate(s, mismatch, "host_mismatch", now);
        }
        s.lease.gpuUtilPct = r.gpuUtilPct();
        if (entrypoint(s)) {
            s.saga.hostVerifiedAt = now;
            s.saga.failureReason = null;
            s.saga.appDeadlineAt = now.plus(cfg.app().healthTimeout());
            return appCheck(s, now);
        }
        return goRunning(s, now);
    }

    /**
     * Entrypoint mode after the host passed: launch the app (VMs, once, again after a crash of the
     * launcher), then ask its health until it answers or the deadline passes. The instance is
     * looked up alongside so a dead instance fails fast and a port the provider re-mapped is seen.
     */
    Step appCheck(Session s, Instant now) {
        if (!now.isBefore(s.saga.appDeadlineAt)) {
            return compensate(
                    s,
                    "the app's API did not answer " + cfg.app().healthPath() + " within "
                            + cfg.app().healthTimeout().toMinutes() + " minutes"
                            + (s.saga.failureReason != null ? " (last: " + s.saga.failureReason + ")" : ""),
                    "app_unhealthy",
                    now);
        }
        if (!gateway.containerNative(s) && s.saga.appLaunchedAt == null) {
            if (s.saga.appLaunchSentAt != null
                    && now.isBefore(s.saga.appLaunchSentAt.plus(cfg.app().launchTimeout()))) {
                // a launch is running (docker pulls the image first): its result reschedules the session
                s.saga.nextCheckAt = s.saga.appLaunchSentAt.plus(cfg.app().launchTimeout());
                return new Step();
            }
            s.saga.appLaunchSentAt = now;
            s.saga.nextCheckAt = now.plus(cfg.app().launchTimeout());
            return new Step().then(Step.Action.LAUNCH_APP);
        }
        s.saga.verifyAttempts++;
        s.saga.nextCheckAt = now.plus(timings.pollAfter(s.saga.verifyAttempts));
        return new Step().emit(gateway.describe(s, now, s.saga.nextCheckAt)).then(Step.Action.CHECK_APP);
    }

    /** The result of {@code docker run} over SSH. */
    public Step onAppLaunched(Session s, boolean ok, String detail, Instant now) {
        if (s.status != SessionStatus.provisioning || s.saga.hostVerifiedAt == null || s.saga.appLaunchedAt != null) {
            return new Step();
        }
        if (!ok) {
            return compensate(s, "the image did not start: " + detail, "app_launch_failed", now);
        }
        s.saga.appLaunchedAt = now;
        s.saga.verifyAttempts = 0;
        s.saga.nextCheckAt = now;
        return new Step();
    }

    /** The result of one health request to the app; {@code endpoint} is where it was asked. */
    public Step onAppHealth(Session s, String endpoint, boolean healthy, String detail, Instant now) {
        if (s.status != SessionStatus.provisioning || s.saga.hostVerifiedAt == null) {
            return new Step();
        }
        if (!healthy) {
            s.saga.failureReason = detail;
            return new Step();
        }
        s.host.apiEndpoint = endpoint;
        return goRunning(s, now);
    }

    /** The app answers health but cannot serve the model (inference fails): destroy, maybe retry elsewhere. */
    public Step onAppBroken(Session s, String detail, Instant now) {
        if (s.status != SessionStatus.provisioning || s.saga.hostVerifiedAt == null) {
            return new Step();
        }
        return compensate(
                s, "the app answers health but cannot serve the model: " + detail, "app_inference_failed", now);
    }

    /** Where the app answers: what the provider reported, else the host's own address (direct public IP). */
    public String appEndpoint(Session s) {
        if (s.host.apiEndpoint != null && !s.host.apiEndpoint.isBlank()) {
            return s.host.apiEndpoint;
        }
        return s.host.sshHost == null
                ? null
                : "http://" + s.host.sshHost + ":"
                        + AppLaunch.appPort(s, cfg.app().defaultPort());
    }

    public String dockerRun(Session s) {
        return AppLaunch.dockerRun(s, cfg.app().defaultPort());
    }

    Step goRunning(Session s, Instant now) {
        s.status = SessionStatus.running;
        s.saga.failureReason = null;
        s.lease.startedAt = now;
        s.lease.lastActivityAt = now;
        s.lease.nextStatusAt = now.plus(cfg.statusPollEvery());
        s.saga.nextCheckAt = timings.nextRunningCheck(s, now);
        Step step = new Step()
                .emit(new SessionStarted(
                        s.id,
                        s.consumerId,
                        s.offer.provider,
                        s.offer.offerId,
                        s.offer.gpuType,
                        s.offer.gpuCount,
                        s.offer.pricePerHour,
                        s.offer.currency,
                        s.host.instanceId,
                        now));
        return needsNoMoreSsh(s) ? step.then(Step.Action.DROP_ACCESS) : step;
    }

    /** Running without idle probing or an app to launch: nothing will log in with the broker's key again. */
    static boolean needsNoMoreSsh(Session s) {
        return !SessionKeys.RETIRED.equals(s.keys.verifySalt)
                && s.host.sshHost != null
                && s.host.sshPort != null
                && s.terms.idleThresholdMinutes == 0
                && !entrypoint(s);
    }

    /** The broker's key was removed from the host: the salt goes, so the key can never be derived again. */
    public Step onAccessDropped(Session s, Instant now) {
        s.keys.verifySalt = SessionKeys.RETIRED;
        return new Step();
    }

    /**
     * An ended session needs no SSH access: with its salt gone nobody can derive the verification key
     * again. Only at the very end: a stopping session may still move to another offer (auto-retry).
     * Runs after every step.
     */
    public static void endAccess(Session s) {
        if (s.status == SessionStatus.failed || s.status == SessionStatus.stopped) {
            s.keys.verifySalt = SessionKeys.RETIRED;
        }
    }

    /** GPU utilisation observed (agent heartbeat or SSH probe). */
    public void onActivity(Session s, Integer gpuUtilPct, Integer agentIdleSeconds, Instant now) {
        if (gpuUtilPct != null) {
            s.lease.gpuUtilPct = gpuUtilPct;
        }
        boolean busy = gpuUtilPct != null && gpuUtilPct > cfg.idleUtilPct();
        if (agentIdleSeconds != null && gpuUtilPct == null) {
            busy = agentIdleSeconds == 0;
        }
        if (busy) {
            s.lease.lastActivityAt = now;
            s.lease.idleWarnedAt = null;
        } else if (agentIdleSeconds != null) {
            Instant since = now.minusSeconds(agentIdleSeconds);
            if (s.lease.lastActivityAt == null || since.isAfter(s.lease.lastActivityAt)) {
                s.lease.lastActivityAt = since;
            }
        }
        if (s.status == SessionStatus.running) {
            s.saga.nextCheckAt = timings.nextRunningCheck(s, now);
        }
    }

    /** The session's agent reported in; only a running session's agent with the right token is heard. */
    public Step onHeartbeat(Session s, String token, Integer gpuUtilPct, Integer idleSeconds, Instant now) {
        if (!SessionKeys.matches(token, s.keys.agentTokenHash)) {
            throw new ApiException(401, "invalid agent token");
        }
        if (s.status != SessionStatus.running) {
            throw ApiException.conflict("session " + s.id + " is " + s.status);
        }
        onActivity(s, gpuUtilPct, idleSeconds, now);
        return new Step();
    }

    /** The GPU utilisation an SSH probe read ({@code null}: the probe failed, nothing changes). */
    public Step onGpuProbed(Session s, Integer gpuUtilPct, Instant now) {
        if (gpuUtilPct != null) {
            onActivity(s, gpuUtilPct, null, now);
        }
        return new Step();
    }

    /**
     * Extends a running session's lease by {@code hours}; never past the hard maximum counted from
     * creation.
     */
    public Step extend(Session s, int hours, Instant now) {
        if (s.status != SessionStatus.running) {
            throw ApiException.conflict(
                    "session " + s.id + " is " + s.status + "; only running sessions can be extended");
        }
        if (s.lease.expiresAt.plus(Duration.ofHours(hours)).isAfter(s.lease.createdAt.plus(cfg.hardMax()))) {
            throw ApiException.badRequest("additional_hours would pass the "
                    + cfg.hardMax().toHours()
                    + " h hard maximum counted from creation (at most "
                    + Duration.between(s.lease.expiresAt, s.lease.createdAt.plus(cfg.hardMax()))
                                    .toMinutes()
                            / 60 + " more hours)");
        }
        s.lease.expiresAt = s.lease.expiresAt.plus(Duration.ofHours(hours));
        s.lease.extendedHours += hours;
        s.saga.nextCheckAt = timings.nextRunningCheck(s, now);
        return new Step().emit(new SessionExtended(s.id, s.consumerId, hours, s.lease.expiresAt, now));
    }

    /**
     * Ends a session: destroy first, {@code stopped} (or {@code failed} when {@code reason} is a
     * failure) only once the provider confirms. Idempotent on ended sessions.
     */
    public Step stop(Session s, StopReason reason, Instant now) {
        if (!s.status.live()) {
            return new Step();
        }
        s.status = SessionStatus.stopping;
        s.saga.stopReason = reason.recorded(s.saga.errorClass);
        s.saga.finalStatus = reason == StopReason.failed ? SessionStatus.failed : SessionStatus.stopped;
        s.saga.terminateAttempts = 0;
        s.saga.nextCheckAt = now.plus(cfg.terminateRetryMin());
        return new Step()
                .emit(new SessionStopping(s.id, s.consumerId, s.saga.stopReason, now))
                .emit(gateway.terminate(s, now));
    }

    public Step onTerminated(Session s, InstanceTerminated r, Instant now) {
        if (s.status != SessionStatus.stopping) {
            return new Step();
        }
        if (r.instanceId() != null
                && s.host.instanceId != null
                && !r.instanceId().equals(s.host.instanceId)) {
            return new Step(); // an unwanted or orphaned instance of this session is gone, not the session's own
        }
        Instant end = r.confirmedAt() != null ? r.confirmedAt() : now;
        s.lease.stoppedAt = end;
        s.saga.nextCheckAt = null;
        if (s.saga.finalStatus == SessionStatus.failed) {
            s.status = SessionStatus.failed;
            return new Step()
                    .emit(new SessionFailed(
                            s.id,
                            s.consumerId,
                            s.offer.provider,
                            s.offer.offerId,
                            s.host.instanceId,
                            s.saga.failureReason == null ? "failed" : s.saga.failureReason,
                            s.saga.errorClass,
                            s.lease.startedAt,
                            s.lease.startedAt == null ? null : end,
                            now));
        }
        s.status = SessionStatus.stopped;
        return new Step()
                .emit(new SessionStopped(
                        s.id,
                        s.consumerId,
                        s.offer.provider,
                        s.host.instanceId,
                        s.saga.stopReason,
                        s.lease.startedAt,
                        end));
    }

    /**
     * Whether the instance being destroyed failed in a way another host may fix (it never ran, and
     * auto-retry has attempts left): then another offer is looked for before the confirmation is applied.
     */
    public boolean wantsOfferAfterDestroy(Session s, Instant now) {
        return s.status == SessionStatus.stopping
                && s.saga.finalStatus == SessionStatus.failed
                && s.lease.startedAt == null
                && s.saga.errorClass != null
                && RETRYABLE_AFTER_DESTROY.contains(s.saga.errorClass)
                && attemptsLeft(s, now);
    }

    /** The instance is confirmed gone; with {@code next} (an offer auto-retry found) a failed session goes on there. */
    public Step onTerminated(Session s, InstanceTerminated r, Offer next, Instant now) {
        if (next != null && attemptsLeft(s, now)) {
            return onTerminatedRetry(s, r, next, now);
        }
        return onTerminated(s, r, now);
    }

    /**
     * The failed host is confirmed gone and auto-retry found another offer: the session goes on
     * there (same id, same keys) instead of ending {@code failed}.
     */
    public Step onTerminatedRetry(Session s, InstanceTerminated r, Offer next, Instant now) {
        if (r.instanceId() != null
                && s.host.instanceId != null
                && !r.instanceId().equals(s.host.instanceId)) {
            return new Step();
        }
        if (s.status != SessionStatus.stopping
                || s.saga.finalStatus != SessionStatus.failed
                || s.lease.startedAt != null) {
            return onTerminated(s, r, now);
        }
        return retryOn(s, next, s.saga.failureReason, now);
    }

    public Step onTerminateFailed(Session s, TerminateFailed r, Instant now) {
        if (s.status == SessionStatus.stopping) {
            s.saga.terminateAttempts++;
            s.saga.nextCheckAt = now.plus(timings.terminateRetryAfter(s.saga.terminateAttempts));
        }
        return new Step();
    }

    /** The consumer went over its monthly budget: each of its live sessions ends. */
    public Step onBudgetExceeded(Session s, Instant now) {
        return stop(s, StopReason.budget_exceeded, now);
    }

    /**
     * Whether a broker-tagged instance in a provider's listing is an orphan. A known session wants
     * only its own instance on its own provider while it is live or stopping (a pending one: whatever
     * its create makes); an unknown session's instance may be a create whose session this replica has
     * not seen yet, so it gets the grace period — and an age that cannot be told (the provider's clock
     * ahead of ours) does not protect it.
     */
    public boolean isOrphan(Session s, String provider, InstanceListing.ListedInstance i, Instant now) {
        if (s != null) {
            return !((s.status.live() || s.status == SessionStatus.stopping)
                    && provider.equals(s.offer.provider)
                    && (s.host.instanceId == null || s.host.instanceId.equals(i.instanceId())));
        }
        if (i.createdAt() == null || i.createdAt().isAfter(now)) {
            return true;
        }
        return Duration.between(i.createdAt(), now).compareTo(cfg.orphanGrace()) >= 0;
    }

    /** An orphan due for a destroy command (the caller remembers when it last commanded one). */
    public Step onOrphan(String provider, InstanceListing.ListedInstance i, Instant now) {
        return new Step().emit(gateway.destroyOrphan(i.sessionId(), provider, i.instanceId(), now));
    }

    /** How long after the last destroy command an orphan that is still listed is commanded again. */
    public Duration orphanResendAfter() {
        return cfg.terminateRetryMin();
    }

    /**
     * A complete listing of the session's provider lacks its instance. Missing from the list is not
     * proof: past the grace period the instance is looked up directly, and only a confirmed "gone" fails it.
     */
    public Step onMissingFromListing(Session s, Instant now) {
        Instant since = s.saga.provisioningStartedAt != null ? s.saga.provisioningStartedAt : s.lease.createdAt;
        if (Duration.between(since, now).compareTo(cfg.orphanGrace()) < 0) {
            return new Step();
        }
        return new Step().emit(gateway.describe(s, now));
    }

    /**
     * The service (re)started with this session running: its instance is looked up, and the reply
     * reconciles what changed while nobody watched. Nothing is terminated because of a restart.
     */
    public Step onResumed(Session running, Instant now) {
        return new Step().emit(gateway.describe(running, now));
    }

    /** Failure after an instance may exist: destroy it (verified), then {@code failed}. */
    public Step compensate(Session s, String reason, String errorClass, Instant now) {
        s.saga.failureReason = reason;
        s.saga.errorClass = errorClass;
        return stop(s, StopReason.failed, now);
    }

    /** Failure before anything exists at the provider. */
    Step fail(Session s, String reason, String errorClass, Instant now) {
        if (s.host.instanceId != null) {
            return compensate(s, reason, errorClass, now);
        }
        s.status = SessionStatus.failed;
        s.saga.failureReason = reason;
        s.saga.errorClass = errorClass;
        s.saga.nextCheckAt = null;
        s.lease.stoppedAt = now;
        return new Step()
                .emit(new SessionFailed(
                        s.id,
                        s.consumerId,
                        s.offer.provider,
                        s.offer.offerId,
                        null,
                        reason,
                        errorClass,
                        null,
                        null,
                        now));
    }

    /** Pins the first host key reported; a pin is never replaced (a changed key fails verification instead). */
    private static void pinHostKey(Session s, String fingerprint) {
        if (s.host.sshHostKey == null && fingerprint != null && !fingerprint.isBlank()) {
            s.host.sshHostKey = fingerprint;
        }
    }

    private static void applyHost(Session s, String host, Integer port, String user) {
        if (host != null && !host.isBlank()) {
            s.host.sshHost = host;
        }
        if (port != null && port > 0) {
            s.host.sshPort = port;
        }
        if (user != null && !user.isBlank()) {
            s.host.sshUser = user;
        }
    }
}
