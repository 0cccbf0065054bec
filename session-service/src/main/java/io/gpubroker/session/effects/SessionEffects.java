package io.gpubroker.session.effects;

import io.gpubroker.session.domain.Session;
import io.gpubroker.session.saga.Step;
import jakarta.enterprise.context.ApplicationScoped;

/** Starts the side effect a committed step asked for; each effect reports its outcome back to the saga. */
@ApplicationScoped
public class SessionEffects {
    private final SshChecks ssh;
    private final AppLauncher launcher;
    private final AppHealthProbe health;

    public SessionEffects(SshChecks ssh, AppLauncher launcher, AppHealthProbe health) {
        this.ssh = ssh;
        this.launcher = launcher;
        this.health = health;
    }

    public void run(Session s, Step.Action action) {
        switch (action) {
            case VERIFY_SSH -> ssh.verify(s);
            case PROBE_GPU -> ssh.probeGpu(s);
            case DROP_ACCESS -> ssh.dropAccess(s);
            case LAUNCH_APP -> launcher.launch(s);
            case CHECK_APP -> health.check(s);
            case NONE -> {}
        }
    }
}
