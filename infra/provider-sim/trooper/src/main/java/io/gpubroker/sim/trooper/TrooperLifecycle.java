package io.gpubroker.sim.trooper;

import io.gpubroker.sim.core.SshHost;
import java.time.Duration;

/** The order state machine: transitions to running once SSH is up, SSH opened and closed one operation at a time, death, reset, capacity. */
final class TrooperLifecycle {

    /** Per-order SSH server bookkeeping: open/close run on workers, so they are serialised here. */
    static final class SshState {
        boolean want;
        boolean open;
        boolean busy;
        boolean wipe;
        int runningGeneration = -1;
    }

    private final TrooperSim sim;

    TrooperLifecycle(TrooperSim sim) {
        this.sim = sim;
    }

    boolean catalogHasRoom(Order o) {
        return o.holdsCapacity || o.blib.capacity > 0;
    }

    void terminate(Order o) {
        o.generation++;
        o.record("terminated", "Server terminated by user", sim.now());
        o.state = "terminated";
        releaseCapacity(o);
        sim.sshState.get(o).want = false;
        sim.markDestroyed(o);
    }

    void releaseCapacity(Order o) {
        if (o.holdsCapacity) {
            o.holdsCapacity = false;
            o.blib.capacity = Math.min(o.blib.maxCapacity, o.blib.capacity + 1);
        }
    }

    /** Moves through {@code transitional} to {@code running}; running is reached when SSH is up. */
    void transitionToRunning(Order o, String transitional, Duration d) {
        int gen = ++o.generation;
        o.state = transitional;
        wantSsh(o, false);
        sim.after(d, () -> toRunning(o, gen));
    }

    void toRunning(Order o, int gen) {
        if (!current(o, gen) || "stuck".equals(o.fault)) {
            return;
        }
        sim.sshState.get(o).runningGeneration = gen;
        wantSsh(o, true);
    }

    boolean current(Order o, int gen) {
        return !o.destroyed && o.generation == gen;
    }

    void wantSsh(Order o, boolean want) {
        sim.sshState.get(o).want = want;
        if (!want) {
            // the server goes down (stop, restart, reset, migration): its containers stop with it
            sim.closeApps(o);
        }
        syncSsh(o);
    }

    /** Brings the SSH server in line with what the order's state wants, one operation at a time. */
    void syncSsh(Order o) {
        SshState s = sim.sshState.get(o);
        if (s == null || s.busy || o.destroyed) {
            return;
        }
        if (s.want && !s.open) {
            s.busy = true;
            sim.openSsh(o, sim.settings.sshUser, host -> {
                s.busy = false;
                s.open = true;
                host.allowPassword(o.password);
                o.sshPort = host.port();
                if (s.want && s.runningGeneration == o.generation) {
                    if (!o.state.equals("running")) {
                        o.state = "running";
                        o.bill(sim.now(), 1.0);
                    }
                    scheduleDeath(o);
                }
                syncSsh(o);
            });
        } else if (!s.want && s.open) {
            s.busy = true;
            SshHost host = o.ssh;
            sim.vx()
                    .executeBlocking(
                            () -> {
                                host.close();
                                return null;
                            },
                            false)
                    .onComplete(ar -> {
                        s.busy = false;
                        s.open = false;
                        if (s.wipe) {
                            s.wipe = false;
                            o.ssh = null;
                        }
                        syncSsh(o);
                    });
        } else if (!s.want && s.wipe) {
            s.wipe = false;
            o.ssh = null;
        }
    }

    void scheduleDeath(Order o) {
        if (!"dies".equals(o.fault) || o.deathScheduled) {
            return;
        }
        o.deathScheduled = true;
        int gen = o.generation;
        sim.after(sim.timing("dies-after", Duration.ofSeconds(30)), () -> {
            if (current(o, gen)) {
                die(o);
            }
        });
    }

    /** The server crashed: current status drops while the desired one stays {@code running}. */
    void die(Order o) {
        o.generation++;
        o.state = sim.settings.statusDead;
        wantSsh(o, false);
        o.bill(sim.now(), sim.settings.stoppedBillingFraction);
    }

    /** Trooper's {@code reset}: wiped and reinstalled, so installed keys are gone and password and port change. */
    void resetServer(Order o) {
        int gen = ++o.generation;
        o.state = "reset";
        o.password = sim.newPassword();
        SshState s = sim.sshState.get(o);
        s.wipe = true;
        wantSsh(o, false);
        o.apps = null; // reinstalled: no containers survive
        sim.after(sim.timing("reset", Duration.ofSeconds(60)), () -> toRunning(o, gen));
    }
}
