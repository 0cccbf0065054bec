package io.gpubroker.session.effects;

import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.vertx.SafeContext;
import io.gpubroker.session.app.AppLaunch;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionSteps;
import io.gpubroker.session.ssh.SessionKeys;
import io.gpubroker.session.ssh.SshVerifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/** {@code docker run} over SSH on a VM: the old container of the same name goes first, so a relaunch is safe. */
@ApplicationScoped
public class AppLauncher {
    private static final Logger LOG = Logger.getLogger(AppLauncher.class);

    private final SshVerifier ssh;
    private final SessionKeys keys;
    private final SessionConfig cfg;
    private final BrokerClock.Scaled clock;
    private final ProvisionSessionSaga saga;
    private final SessionSteps steps;
    private final io.vertx.core.Vertx vertx;

    public AppLauncher(
            SshVerifier ssh,
            SessionKeys keys,
            SessionConfig cfg,
            BrokerClock.Scaled clock,
            ProvisionSessionSaga saga,
            SessionSteps steps,
            io.vertx.core.Vertx vertx) {
        this.ssh = ssh;
        this.keys = keys;
        this.cfg = cfg;
        this.clock = clock;
        this.saga = saga;
        this.steps = steps;
        this.vertx = vertx;
    }

    void launch(Session s) {
        SshTarget t = SshTarget.of(s);
        String command = saga.dockerRun(s);
        Duration run = Duration.ofMillis(
                Math.max(1000, (long) (cfg.app().launchTimeout().toMillis() / clock.scale())));
        Uni.createFrom()
                .item(() -> {
                    var key = keys.verificationKey(t.id(), t.salt());
                    ssh.exec(
                            t.host(),
                            t.port(),
                            t.user(),
                            key,
                            t.pin(),
                            "docker rm -f " + AppLaunch.CONTAINER,
                            cfg.sshTimeout(),
                            cfg.sshTimeout());
                    return ssh.exec(t.host(), t.port(), t.user(), key, t.pin(), command, cfg.sshTimeout(), run);
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(r -> {
                    LOG.infof("session %s: app launch exit %d", t.id(), r.exitCode());
                    return SafeContext.run(
                            vertx,
                            () -> steps.apply(
                                    t.id(),
                                    (sess, now) -> saga.onAppLaunched(
                                            sess,
                                            r.ok(),
                                            "docker run exited " + r.exitCode()
                                                    + (r.output().isEmpty() ? "" : ": " + Texts.tail(r.output())),
                                            now)));
                })
                .subscribe()
                .with(x -> {}, e -> LOG.warnf("app launch of %s: %s", t.id(), e.getMessage()));
    }
}
