package io.gpubroker.session.effects;

import io.gpubroker.kit.vertx.SafeContext;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionMetrics;
import io.gpubroker.session.service.SessionSteps;
import io.gpubroker.session.ssh.HostReport;
import io.gpubroker.session.ssh.SessionKeys;
import io.gpubroker.session.ssh.SshVerifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The SSH work on a session's host with the broker's verification key: the verification, the GPU
 * probe of idle detection, and removing the key once nothing needs it. Blocking, so on a worker
 * thread; the result goes back to the saga as a step of its own.
 */
@ApplicationScoped
public class SshChecks {
    private static final Logger LOG = Logger.getLogger(SshChecks.class);

    private final SshVerifier ssh;
    private final SessionKeys keys;
    private final SessionConfig cfg;
    private final SessionMetrics metrics;
    private final ProvisionSessionSaga saga;
    private final SessionSteps steps;
    private final io.vertx.core.Vertx vertx;

    public SshChecks(
            SshVerifier ssh,
            SessionKeys keys,
            SessionConfig cfg,
            SessionMetrics metrics,
            ProvisionSessionSaga saga,
            SessionSteps steps,
            io.vertx.core.Vertx vertx) {
        this.ssh = ssh;
        this.keys = keys;
        this.cfg = cfg;
        this.metrics = metrics;
        this.saga = saga;
        this.steps = steps;
        this.vertx = vertx;
    }

    /** A real handshake, echo, nvidia-smi and the host truth; the report decides in {@code onVerified}. */
    void verify(Session s) {
        SshTarget t = SshTarget.of(s);
        String userKey = s.keys.userPublicKey;
        Uni.createFrom()
                .item(() -> {
                    long t0 = System.nanoTime();
                    HostReport r = ssh.verify(
                            t.host(),
                            t.port(),
                            t.user(),
                            keys.verificationKey(t.id(), t.salt()),
                            userKey,
                            t.pin(),
                            cfg.sshTimeout());
                    metrics.sshVerifyTimer().record(Duration.ofNanos(System.nanoTime() - t0));
                    if (!r.ok()) {
                        metrics.verifyFailed(t.provider(), r.failure().name().toLowerCase());
                    }
                    return r;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(r ->
                        SafeContext.run(vertx, () -> steps.apply(t.id(), (sess, now) -> saga.onVerified(sess, r, now))))
                .subscribe()
                .with(x -> {}, e -> LOG.warnf("verification of %s: %s", t.id(), e.getMessage()));
    }

    /**
     * Removes the broker's verification key from the host (the user's key was installed by the
     * verification) and, once that worked, the saga wipes the salt, so the key can never be derived
     * again. A failure leaves both until the session ends (then the salt goes anyway).
     */
    void dropAccess(Session s) {
        SshTarget t = SshTarget.of(s);
        Uni.createFrom()
                .item(() -> ssh.exec(
                        t.host(),
                        t.port(),
                        t.user(),
                        keys.verificationKey(t.id(), t.salt()),
                        t.pin(),
                        "sed -i '/ " + SessionKeys.VERIFY_COMMENT + "$/d' ~/.ssh/authorized_keys",
                        cfg.sshTimeout(),
                        cfg.sshTimeout()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(r -> {
                    if (!r.ok()) {
                        LOG.infof(
                                "session %s: the broker's key stays on the host until the session ends (%s)",
                                t.id(), r.output());
                        return Uni.createFrom().nullItem();
                    }
                    return SafeContext.run(vertx, () -> steps.apply(t.id(), saga::onAccessDropped));
                })
                .subscribe()
                .with(x -> {}, e -> LOG.warnf("removing the broker's key from %s: %s", t.id(), e.getMessage()));
    }

    /** GPU utilisation for idle detection; a failed probe changes nothing. */
    void probeGpu(Session s) {
        if (s.host.sshHost == null || s.host.sshPort == null) {
            return;
        }
        SshTarget t = SshTarget.of(s);
        Uni.createFrom()
                .item(() -> ssh.gpuUtil(
                        t.host(),
                        t.port(),
                        t.user(),
                        keys.verificationKey(t.id(), t.salt()),
                        t.pin(),
                        cfg.sshTimeout()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(util -> util == null
                        ? Uni.createFrom().nullItem()
                        : SafeContext.run(
                                vertx, () -> steps.apply(t.id(), (sess, now) -> saga.onGpuProbed(sess, util, now))))
                .subscribe()
                .with(x -> {}, e -> LOG.debugf("GPU probe of %s: %s", t.id(), e.getMessage()));
    }
}
