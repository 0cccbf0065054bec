package io.gpubroker.session.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.vertx.SafeContext;
import io.gpubroker.session.app.AppLaunch;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.repository.OrphanRepository;
import io.gpubroker.session.rest.CreateSessionRequest;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.saga.Step;
import io.gpubroker.session.ssh.HostReport;
import io.gpubroker.session.ssh.SessionKeys;
import io.gpubroker.session.ssh.SshVerifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Session commands. Each one locks the session row, lets the saga decide, and stores the new state
 * with the events and commands it produced (outbox) in ONE transaction. Blocking SSH work runs
 * afterwards on a worker thread and feeds its result back the same way.
 */
@ApplicationScoped
public class SessionService {
    private static final Logger LOG = Logger.getLogger(SessionService.class);
    public static final Set<String> WORKLOADS = Set.of("llm", "training", "batch", "inference", "interactive",
            "fine_tuning", "rendering", "notebook", "other");

    private final Mutiny.SessionFactory db;
    private final OutboxWriter outbox;
    private final BrokerClock.Scaled clock;
    private final SessionKeys keys;
    private final SessionConfig cfg;
    private final SessionMetrics metrics;
    private final SshVerifier ssh;
    private final ProvisionSessionSaga saga;
    private final io.vertx.core.Vertx vertx;
    private final OrphanRepository orphans;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build();

    public SessionService(Mutiny.SessionFactory db, OutboxWriter outbox, BrokerClock.Scaled clock, SessionKeys keys,
                          SessionConfig cfg, SessionMetrics metrics, SshVerifier ssh, io.vertx.core.Vertx vertx,
                          OrphanRepository orphans) {
        this.vertx = vertx;
        this.orphans = orphans;
        this.db = db;
        this.outbox = outbox;
        this.clock = clock;
        this.keys = keys;
        this.cfg = cfg;
        this.metrics = metrics;
        this.ssh = ssh;
        // the verification key first: a provider that takes a single key (Rackrr) gets the broker's,
        // and the verifier installs the user's key over SSH on every host (idempotent)
        this.saga = new ProvisionSessionSaga(cfg, s -> List.of(keys.verificationPublicKeyLine(s.id), s.userPublicKey),
                clock.scale());
    }

    public ProvisionSessionSaga saga() {
        return saga;
    }

    public Instant now() {
        return clock.instant();
    }

    /** What a create returns: the private key and agent token exist only in this object. */
    public record Created(Session session, String privateKey, String agentToken, boolean replay) {
        @Override
        public String toString() {
            return "Created[" + session.id + "]";
        }
    }

    /** Field checks of a create request; the message names the field. */
    public static void validate(CreateSessionRequest r) {
        if (r == null) {
            throw ApiException.badRequest("request body is required");
        }
        requireText(r.consumerId(), "consumer_id", 128);
        requireText(r.offerId(), "offer_id", 256);
        requireText(r.workloadType(), "workload_type", 32);
        if (!WORKLOADS.contains(r.workloadType())) {
            throw ApiException.badRequest("workload_type must be one of " + WORKLOADS.stream().sorted().collect(Collectors.joining(", ")));
        }
        if (r.reservationHours() == null) {
            throw ApiException.badRequest("reservation_hours is required");
        }
        if (r.reservationHours() < 1 || r.reservationHours() > 12) {
            throw ApiException.badRequest("reservation_hours must be between 1 and 12");
        }
        if (r.idleThresholdMinutes() != null && (r.idleThresholdMinutes() < 0 || r.idleThresholdMinutes() > 720)) {
            throw ApiException.badRequest("idle_threshold_minutes must be between 0 and 720");
        }
        if (r.storagePolicy() != null && !Set.of("destroy", "preserve").contains(r.storagePolicy())) {
            throw ApiException.badRequest("storage_policy must be 'destroy' or 'preserve'");
        }
        if ("preserve".equals(r.storagePolicy())) {
            // accepted-and-ignored would be a lie; a stopped instance bills storage (Barrack: the full rate)
            // and needs its own lifecycle (resume, delete, a limit) before the broker can offer it
            throw ApiException.badRequest("storage_policy 'preserve' is not supported yet: a session's instance and disk"
                    + " are destroyed when it ends, so nothing keeps billing; copy data off before ending the session");
        }
        if (r.launchMode() != null && !Set.of("ssh", "entrypoint").contains(r.launchMode())) {
            throw ApiException.badRequest("launch_mode must be 'ssh' or 'entrypoint'");
        }
        if ("entrypoint".equals(r.launchMode()) && (r.dockerImage() == null || r.dockerImage().isBlank())
                && (r.templateHashId() == null || r.templateHashId().isBlank())) {
            throw ApiException.badRequest("docker_image is required when launch_mode is 'entrypoint'");
        }
        if (r.dockerImage() != null && !AppLaunch.IMAGE.matcher(r.dockerImage()).matches()) {
            throw ApiException.badRequest("docker_image must be an image reference (letters, digits, . _ / : @ -)");
        }
        if (r.modelId() != null && !AppLaunch.MODEL.matcher(r.modelId()).matches()) {
            throw ApiException.badRequest("model_id must be a model name (letters, digits, . _ / : -)");
        }
        if (r.quantization() != null && !AppLaunch.QUANTIZATION.matcher(r.quantization()).matches()) {
            throw ApiException.badRequest("quantization must be a method name such as awq, gptq, fp8");
        }
        if (r.diskGb() != null && (r.diskGb() < 10 || r.diskGb() > 2000)) {
            throw ApiException.badRequest("disk_gb must be between 10 and 2000");
        }
        if (r.exposedPorts() != null && r.exposedPorts().stream().anyMatch(p -> p == null || p < 1 || p > 65535)) {
            throw ApiException.badRequest("exposed_ports must be TCP ports (1-65535)");
        }
        if (r.maxRetries() != null && (r.maxRetries() < 0 || r.maxRetries() > 5)) {
            throw ApiException.badRequest("max_retries must be between 0 and 5");
        }
        if (r.retryScope() != null && !Set.of("same_gpu", "same_vram", "any").contains(r.retryScope())) {
            throw ApiException.badRequest("retry_scope must be 'same_gpu', 'same_vram' or 'any'");
        }
    }

    private static void requireText(String v, String field, int max) {
        if (v == null || v.isBlank()) {
            throw ApiException.badRequest(field + " is required");
        }
        if (v.length() > max) {
            throw ApiException.badRequest(field + " is longer than " + max + " characters");
        }
    }

    /** A create already made with this Idempotency-Key, if any. */
    public Uni<Session> byIdempotencyKey(String consumerId, String key) {
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        return db.withSession(s -> s.createQuery("from Session where consumerId = :c and idempotencyKey = :k", Session.class)
                .setParameter("c", consumerId).setParameter("k", key).getSingleResultOrNull());
    }

    /** Stores the session {@code pending} with SessionRequested and ProvisionInstance, atomically. */
    public Uni<Created> create(CreateSessionRequest r, Offer offer, String idempotencyKey) {
        Instant now = clock.instant();
        Session s = new Session();
        s.id = "sess-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        s.consumerId = r.consumerId();
        s.offerId = offer.id();
        s.provider = offer.provider();
        s.gpuType = offer.gpuType();
        s.gpuCount = offer.gpuCount();
        s.vramGb = offer.vramGb();
        s.pricePerHour = offer.pricePerHour();
        s.offerProvisioning = offer.provisioning();
        s.machineId = offer.machineId();
        s.offerCuda = offer.cudaVersion();
        s.currency = "USD";
        s.status = SessionStatus.pending;
        s.workloadType = r.workloadType();
        s.reservationHours = r.reservationHours();
        s.idleThresholdMinutes = r.idleThresholdMinutes() == null ? 0 : r.idleThresholdMinutes();
        s.storagePolicy = r.storagePolicy() == null ? "destroy" : r.storagePolicy();
        s.launchMode = r.launchMode() == null ? "ssh" : r.launchMode();
        s.dockerImage = r.dockerImage();
        s.modelId = r.modelId();
        s.exposedPorts = r.exposedPorts() == null || r.exposedPorts().isEmpty() ? null
                : r.exposedPorts().stream().distinct().map(String::valueOf).collect(Collectors.joining(","));
        if ("entrypoint".equals(s.launchMode)) {
            if (!cfg.app().portProviders().contains(s.provider)) {
                throw ApiException.badRequest("launch_mode 'entrypoint' needs a provider that publishes ports ("
                        + String.join(", ", new java.util.TreeSet<>(cfg.app().portProviders())) + "); offer " + offer.id()
                        + " is on " + s.provider + ": use launch_mode 'ssh' there");
            }
            if (s.exposedPorts == null) {
                s.exposedPorts = String.valueOf(cfg.app().defaultPort());
            }
        }
        s.quantization = r.quantization();
        s.diskGb = r.diskGb() == null ? 50 : r.diskGb();
        s.templateHashId = r.templateHashId();
        s.autoRetry = Boolean.TRUE.equals(r.autoRetry());
        s.maxRetries = r.maxRetries() == null ? (s.autoRetry ? 2 : 0) : r.maxRetries();
        s.retryScope = r.retryScope() == null ? "same_gpu" : r.retryScope();
        s.idempotencyKey = idempotencyKey;
        s.createdAt = now;
        s.expiresAt = now.plus(Duration.ofHours(r.reservationHours()));
        s.hardMaxAt = now.plus(cfg.hardMax());
        s.updatedAt = now;
        SessionKeys.UserKey userKey = keys.newUserKey(s.id);
        s.userPublicKey = userKey.publicKeyLine();
        String agentToken = SessionKeys.newAgentToken();
        s.agentTokenHash = SessionKeys.hash(agentToken);
        Step step = saga.start(s, now);
        List<BrokerEvent> events = new ArrayList<>();
        events.add(new SessionRequested(s.id, s.consumerId, s.offerId, s.provider, s.gpuType, s.gpuCount,
                s.pricePerHour, s.currency, s.reservationHours, s.workloadType, now));
        events.addAll(step.events());
        return db.withTransaction(tx -> tx.persist(s).call(tx::flush)
                        .call(() -> attempt(tx, s, now, "requested"))
                        .call(() -> append(tx, events)))
                .replaceWith(() -> {
                    metrics.created(s.provider);
                    return new Created(s, userKey.privateKeyPem(), agentToken, false);
                })
                .onFailure(ConstraintViolationException.class).transform(e ->
                        ApiException.conflict("consumer " + r.consumerId() + " already has a live session on offer " + offer.id()));
    }

    Uni<Void> attempt(Mutiny.Session tx, Session s, Instant at, String outcome) {
        return attempt(tx, s.id, s.retryCount, s.offerId, s.provider, outcome, null, at);
    }

    private Uni<Void> attempt(Mutiny.Session tx, String id, int n, String offerId, String provider, String outcome,
                              String detail, Instant at) {
        return tx.createNativeQuery("insert into session.session_attempts (session_id, attempt, offer_id, provider, outcome, detail, at)"
                        + " values (?1, ?2, ?3, ?4, ?5, ?6, ?7) on conflict (session_id, attempt)"
                        + " do update set outcome = excluded.outcome, detail = excluded.detail")
                .setParameter(1, id).setParameter(2, n).setParameter(3, offerId).setParameter(4, provider)
                .setParameter(5, outcome).setParameter(6, detail)
                .setParameter(7, java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC))
                .executeUpdate().replaceWithVoid();
    }

    /** Which offer a session was on before a step: a step that moves it to another offer closes that attempt. */
    record Attempt(int n, String offerId, String provider, SessionStatus status) {
        static Attempt of(Session s) {
            return new Attempt(s.retryCount, s.offerId, s.provider, s.status);
        }
    }

    /** Keeps the auto-retry chain readable: every offer tried, with how it ended. */
    private Uni<Void> attempts(Mutiny.Session tx, Attempt was, Session s, Instant now) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        if (was.n() != s.retryCount) {
            String why = s.lastAttemptFailure != null ? s.lastAttemptFailure : "failed";
            chain = chain.call(() -> attempt(tx, s.id, was.n(), was.offerId(), was.provider(), "retried", why, now));
        }
        if (was.n() != s.retryCount || was.status() != s.status) {
            String outcome = s.status == SessionStatus.stopping ? "stopping" : s.status.name();
            chain = chain.call(() -> attempt(tx, s.id, s.retryCount, s.offerId, s.provider,
                    was.n() != s.retryCount ? "requested" : outcome, s.failureReason, now));
        }
        return chain;
    }

    Uni<Void> append(Mutiny.Session tx, List<? extends BrokerEvent> events) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (BrokerEvent e : events) {
            chain = chain.call(() -> outbox.append(tx, "session", e));
        }
        return chain;
    }

    public Uni<Session> find(String id) {
        return db.withSession(s -> s.find(Session.class, id))
                .onItem().ifNull().failWith(() -> ApiException.notFound("session " + id + " not found"));
    }

    public Uni<List<Session>> list(String consumerId, String status, String provider, int limit) {
        StringBuilder q = new StringBuilder("from Session where 1 = 1");
        if (consumerId != null) {
            q.append(" and consumerId = :c");
        }
        if (status != null) {
            q.append(" and status = :s");
        }
        if (provider != null) {
            q.append(" and provider = :p");
        }
        q.append(" order by createdAt desc");
        return db.withSession(s -> {
            var query = s.createQuery(q.toString(), Session.class).setMaxResults(limit);
            if (consumerId != null) {
                query.setParameter("c", consumerId);
            }
            if (status != null) {
                query.setParameter("s", SessionStatus.valueOf(status));
            }
            if (provider != null) {
                query.setParameter("p", provider);
            }
            return query.getResultList();
        });
    }

    public Uni<List<Object[]>> attempts(String id) {
        return db.withSession(s -> s.createNativeQuery("select attempt, offer_id, provider, outcome, at, detail from session.session_attempts"
                + " where session_id = ?1 order by attempt", Object[].class).setParameter(1, id).getResultList());
    }

    /**
     * Locks the session, runs one saga step in a transaction (state + outbox together), then runs
     * the step's side effect. Returns the committed session.
     */
    public Uni<Session> apply(String id, BiFunction<Session, Instant, Step> decide) {
        Instant now = clock.instant();
        Step[] holder = new Step[1];
        SessionStatus[] before = new SessionStatus[1];
        return db.withTransaction(tx -> tx.find(Session.class, id, LockModeType.PESSIMISTIC_WRITE)
                        .onItem().ifNull().failWith(() -> ApiException.notFound("session " + id + " not found"))
                        .chain(s -> {
                            before[0] = s.status;
                            Attempt was = Attempt.of(s);
                            Step step = decide.apply(s, now);
                            holder[0] = step;
                            s.updatedAt = now;
                            return append(tx, step.events()).call(() -> attempts(tx, was, s, now))
                                    .call(() -> rememberUnwanted(tx, step, now)).replaceWith(s);
                        }))
                .invoke(s -> afterCommit(s, before[0], holder[0]));
    }

    /** Same as {@link #apply} inside a caller's transaction (message consumers: the Inbox owns the transaction). */
    public Uni<Void> applyIn(Mutiny.Session tx, String id, BiFunction<Session, Instant, Step> decide) {
        Instant now = clock.instant();
        return tx.find(Session.class, id, LockModeType.PESSIMISTIC_WRITE).chain(s -> {
            if (s == null) {
                LOG.warnf("reply for unknown session %s ignored", id);
                return Uni.createFrom().voidItem();
            }
            SessionStatus before = s.status;
            Attempt was = Attempt.of(s);
            Step step = decide.apply(s, now);
            s.updatedAt = now;
            if (before != s.status && !s.status.live() && s.status != SessionStatus.stopping) {
                metrics.ended(s.provider, s.status.name(), s.stopReason != null ? s.stopReason : s.errorClass);
            }
            return append(tx, step.events()).call(() -> attempts(tx, was, s, now)).call(() -> rememberUnwanted(tx, step, now));
        });
    }

    /** Unwanted instances are kept as orphans until gone, so the reconciliation commands them again if needed. */
    private Uni<Void> rememberUnwanted(Mutiny.Session tx, Step step, Instant now) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (var t : step.unwanted()) {
            LOG.warnf("session %s: destroying %s instance %s at once (%s)", t.sessionId(), t.provider(), t.instanceId(), t.reason());
            metrics.unwantedInstance(t.provider());
            chain = chain.call(() -> orphans.commandNow(tx, t.provider(), t.instanceId(), "session:" + t.sessionId(), t.reason(), now));
        }
        return chain;
    }

    private void afterCommit(Session s, SessionStatus before, Step step) {
        if (before == SessionStatus.running && s.status == SessionStatus.stopping
                && ("expired".equals(s.stopReason) || "hard_max".equals(s.stopReason))) {
            Instant due = "expired".equals(s.stopReason) ? s.expiresAt : s.hardMaxAt;
            double simLag = Duration.between(due, s.updatedAt).toMillis() / 1000.0;
            metrics.expiryLag(s.stopReason, Math.max(0, simLag) / clock.scale());
        }
        if (before != s.status && !s.status.live() && s.status != SessionStatus.stopping) {
            metrics.ended(s.provider, s.status.name(), s.stopReason != null ? s.stopReason : s.errorClass);
        }
        switch (step.action()) {
            case VERIFY_SSH -> verifyLater(s);
            case PROBE_GPU -> probeLater(s);
            case LAUNCH_APP -> launchLater(s);
            case CHECK_APP -> healthLater(s);
            default -> {
            }
        }
    }

    private void verifyLater(Session s) {
        String id = s.id;
        String host = s.sshHost;
        int port = s.sshPort;
        String user = s.sshUser == null ? "root" : s.sshUser;
        String provider = s.provider;
        String userKey = s.userPublicKey;
        Uni.createFrom().item(() -> {
                    long t0 = System.nanoTime();
                    HostReport r = ssh.verify(host, port, user, keys.verificationKey(id), userKey, cfg.sshTimeout());
                    metrics.sshVerifyTimer().record(Duration.ofNanos(System.nanoTime() - t0));
                    if (!r.ok()) {
                        metrics.verifyFailed(provider, r.failure().name().toLowerCase());
                    }
                    return r;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(r -> SafeContext.run(vertx, () -> apply(id, (sess, now) -> saga.onVerified(sess, r, now))))
                .subscribe().with(x -> { }, e -> LOG.warnf("verification of %s: %s", id, e.getMessage()));
    }

    /** {@code docker run} over SSH: the old container of the same name goes first, so a relaunch is safe. */
    private void launchLater(Session s) {
        String id = s.id;
        String host = s.sshHost;
        int port = s.sshPort;
        String user = s.sshUser == null ? "root" : s.sshUser;
        String command = saga.dockerRun(s);
        Duration run = Duration.ofMillis(Math.max(1000, (long) (cfg.app().launchTimeout().toMillis() / clock.scale())));
        Uni.createFrom().item(() -> {
                    var key = keys.verificationKey(id);
                    ssh.exec(host, port, user, key, "docker rm -f " + AppLaunch.CONTAINER, cfg.sshTimeout(), cfg.sshTimeout());
                    return ssh.exec(host, port, user, key, command, cfg.sshTimeout(), run);
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(r -> {
                    LOG.infof("session %s: app launch exit %d", id, r.exitCode());
                    return SafeContext.run(vertx, () -> apply(id, (sess, now) -> saga.onAppLaunched(sess, r.ok(),
                            "docker run exited " + r.exitCode() + (r.output().isEmpty() ? "" : ": " + tail(r.output())), now)));
                })
                .subscribe().with(x -> { }, e -> LOG.warnf("app launch of %s: %s", id, e.getMessage()));
    }

    /** What one look at the app found: healthy, not yet (keep asking), or broken for good. */
    record AppProbe(boolean healthy, boolean broken, String detail) {
    }

    /**
     * Health where the user will reach it, then — for images serving the OpenAI API with a model —
     * a one-token completion: a host whose CUDA is older than the offer said answers health and
     * fails on the first inference.
     */
    private void healthLater(Session s) {
        String id = s.id;
        String endpoint = saga.appEndpoint(s);
        if (endpoint == null) {
            return;
        }
        String model = AppLaunch.speaksOpenAi(s.dockerImage) ? s.modelId : null;
        Uni.createFrom().item(() -> probeApp(endpoint, model))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(p -> SafeContext.run(vertx, () -> apply(id, (sess, now) -> p.broken()
                        ? saga.onAppBroken(sess, p.detail(), now)
                        : saga.onAppHealth(sess, endpoint, p.healthy(), p.detail(), now))))
                .subscribe().with(x -> { }, e -> LOG.warnf("app health of %s: %s", id, e.getMessage()));
    }

    AppProbe probeApp(String endpoint, String model) {
        String url = endpoint + cfg.app().healthPath();
        try {
            var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .timeout(cfg.app().healthRequestTimeout()).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() != 200) {
                return new AppProbe(false, false, url + " answered " + health.statusCode()
                        + (health.body().isBlank() ? "" : " " + tail(health.body())));
            }
            if (model == null) {
                return new AppProbe(true, false, null);
            }
            String body = JSON.writeValueAsString(java.util.Map.of("model", model, "prompt", "ping", "max_tokens", 1));
            var done = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint + "/v1/completions"))
                            .timeout(cfg.app().healthRequestTimeout()).header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (done.statusCode() == 200) {
                return new AppProbe(true, false, null);
            }
            String detail = "a one-token completion of " + model + " answered " + done.statusCode()
                    + (done.body().isBlank() ? "" : " " + tail(done.body()));
            // 5xx after health 200 is the server failing to run the model, 4xx the model not being served
            return new AppProbe(false, done.statusCode() >= 400 && done.statusCode() != 429 && done.statusCode() != 503, detail);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return new AppProbe(false, false, url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AppProbe(false, false, url + ": interrupted");
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 300 ? t : "…" + t.substring(t.length() - 300);
    }

    private void probeLater(Session s) {
        String id = s.id;
        if (s.sshHost == null || s.sshPort == null) {
            return;
        }
        String host = s.sshHost;
        int port = s.sshPort;
        String user = s.sshUser == null ? "root" : s.sshUser;
        Uni.createFrom().item(() -> ssh.gpuUtil(host, port, user, keys.verificationKey(id), cfg.sshTimeout()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(util -> util == null ? Uni.createFrom().nullItem()
                        : SafeContext.run(vertx, () -> apply(id, (sess, now) -> {
                            saga.onActivity(sess, util, null, now);
                            return new Step();
                        })))
                .subscribe().with(x -> { }, e -> LOG.debugf("GPU probe of %s: %s", id, e.getMessage()));
    }

    /** Claims due sessions (FOR UPDATE SKIP LOCKED, with a lease so a crash re-fires them) and runs their step. */
    public Uni<Integer> runDue(int max) {
        Instant now = clock.instant();
        Instant lease = now.plus(Duration.ofMillis(Math.max(30_000, (long) (30_000 * clock.scale()))));
        return db.withTransaction(tx -> tx.createNativeQuery("""
                        update session.sessions set next_check_at = ?1
                        where id in (select id from session.sessions where next_check_at <= ?2
                                     order by next_check_at limit ?3 for update skip locked)
                        returning id""", String.class)
                        .setParameter(1, java.time.OffsetDateTime.ofInstant(lease, java.time.ZoneOffset.UTC))
                        .setParameter(2, java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC))
                        .setParameter(3, max)
                        .getResultList())
                .chain(ids -> {
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    // one after the other: a reactive session is not shared by concurrent transactions
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (String id : ids) {
                        chain = chain.call(() -> apply(id, saga::onCheck).onFailure().invoke(e ->
                                LOG.warnf("step of %s failed: %s", id, e.getMessage())).onFailure().recoverWithNull());
                    }
                    return chain.replaceWith(ids.size());
                });
    }

    /** Ends a session for {@code reason}; idempotent on ended sessions. */
    public Uni<Session> end(String id, String reason) {
        return apply(id, (s, now) -> saga.stop(s, reason, SessionStatus.stopped, now));
    }

    public Uni<Session> extend(String id, int hours) {
        return apply(id, (s, now) -> {
            if (s.status != SessionStatus.running) {
                throw ApiException.conflict("session " + id + " is " + s.status + "; only running sessions can be extended");
            }
            if (s.expiresAt.plus(Duration.ofHours(hours)).isAfter(s.createdAt.plus(cfg.hardMax()))) {
                throw ApiException.badRequest("additional_hours would pass the " + cfg.hardMax().toHours()
                        + " h hard maximum counted from creation (at most "
                        + Duration.between(s.expiresAt, s.createdAt.plus(cfg.hardMax())).toMinutes() / 60 + " more hours)");
            }
            return saga.extend(s, hours, now);
        });
    }

    public Uni<Session> heartbeat(String id, String token, Integer gpuUtil, Integer idleSeconds) {
        return apply(id, (s, now) -> {
            if (!SessionKeys.matches(token, s.agentTokenHash)) {
                throw new ApiException(401, "invalid agent token");
            }
            if (s.status != SessionStatus.running) {
                throw ApiException.conflict("session " + id + " is " + s.status);
            }
            saga.onActivity(s, gpuUtil, idleSeconds, now);
            return new Step();
        });
    }

    public static BigDecimal worstCase(Offer o, int hours) {
        return o.pricePerHour().multiply(BigDecimal.valueOf(hours));
    }
}
