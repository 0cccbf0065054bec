package io.gpubroker.sim.vastai;

import io.gpubroker.sim.core.Apps;
import io.gpubroker.sim.core.DockerCli;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/** The Vast instance state machine: schedule, pull, run, die or exit, stop, restart and destroy, with SSH and apps following it. */
final class VastLifecycle {

    private final VastAiSim sim;

    VastLifecycle(VastAiSim sim) {
        this.sim = sim;
    }

    /** Each {@code -p H:P} in env publishes container port P on a free loopback port (random per instance, as on Vast). */
    void publishPorts(VastInstance inst) {
        for (String k : inst.env.keySet()) {
            Matcher p = VastDockerOptions.PORT_OPT.matcher(k);
            if (p.find() && !p.group(2).equals("22")) {
                inst.extraPorts.put(p.group(2), sim.apps(inst).publish(Integer.parseInt(p.group(2))));
            }
        }
    }

    /**
     * The instance is the container: once it runs, its process serves every published non-22 port
     * (switch off with {@code vastai.app-autostart=false}). The model comes from {@code onstart},
     * {@code args} or env, else the image.
     */
    void startApps(VastInstance inst, int gen) {
        if (inst.extraPorts.isEmpty() || !sim.config().getBool("vastai.app-autostart", true)) {
            return;
        }
        List<String> words = new ArrayList<>();
        try {
            words.addAll(DockerCli.words(inst.onstart == null ? "" : inst.onstart));
        } catch (DockerCli.Failure e) {
            // an unbalanced quote in onstart: the shell would fail on it, the image's defaults apply
        }
        words.addAll(inst.args);
        String model = DockerCli.model(words, inst.env, inst.image);
        List<Integer> ports =
                inst.extraPorts.keySet().stream().map(Integer::valueOf).toList();
        Apps apps = sim.apps(inst);
        sim.vx()
                .executeBlocking(
                        () -> {
                            apps.runEntrypoint("instance-" + inst.numericId, inst.image, model, ports);
                            return null;
                        },
                        false)
                .onComplete(ar -> {
                    if (!current(inst, gen) || !"running".equals(inst.state)) {
                        sim.closeApps(inst);
                    }
                });
    }

    boolean current(VastInstance inst, int gen) {
        return !inst.destroyed && inst.generation == gen && sim.vast.get(inst.numericId) == inst;
    }

    /** null (scheduling) → loading (image pull) → running; "stuck" stays in loading. */
    void boot(VastInstance inst) {
        int gen = ++inst.generation;
        sim.after(sim.timing("schedule", Duration.ofSeconds(3)), () -> {
            if (!current(inst, gen)) {
                return;
            }
            inst.state = "loading";
            inst.statusMsg = "Pulling image " + inst.image;
            if ("stuck".equals(inst.fault)) {
                return;
            }
            sim.after(sim.timing("boot", Duration.ofSeconds(20)), () -> {
                if (!current(inst, gen)) {
                    return;
                }
                if ("image_pull_failed".equals(inst.fault)) {
                    // the bad-image failure of the spec: loading -> exited, the pull error in status_msg
                    exited(inst, Apps.pullError(inst.image));
                } else {
                    toRunning(inst);
                }
            });
        });
    }

    void toRunning(VastInstance inst) {
        int gen = inst.generation;
        inst.state = "running";
        inst.intendedStatus = "running";
        inst.curState = "running";
        inst.nextState = "running";
        inst.statusMsg = "success, running " + inst.image + "/ssh";
        inst.bill(sim.now(), 1.0);
        if (inst.hasSsh()) {
            sim.openSsh(inst, "root", host -> {
                if (!current(inst, gen)) {
                    sim.vx()
                            .executeBlocking(
                                    () -> {
                                        host.close();
                                        return null;
                                    },
                                    false);
                    return;
                }
                inst.sshPort = host.port();
                for (VastInstance.Key k : inst.keys) {
                    if (k.active) {
                        host.authorize(k.publicKey);
                    }
                }
            });
        }
        startApps(inst, gen);
        if ("dies".equals(inst.fault)) {
            sim.after(sim.timing("dies-after", Duration.ofSeconds(10)), () -> {
                if (current(inst, gen) && "running".equals(inst.state)) {
                    die(inst);
                }
            });
        }
    }

    /** The container process died: {@code exited}, SSH gone, only the disk billed. */
    void die(VastInstance inst) {
        exited(inst, "Error: container exited unexpectedly with code 137");
    }

    /** The container is not running (died, or its image could not be pulled): SSH and apps gone, only the disk billed. */
    void exited(VastInstance inst, String statusMsg) {
        inst.generation++;
        inst.state = "exited";
        inst.statusMsg = statusMsg;
        dropSsh(inst);
        inst.bill(sim.now(), inst.storageFraction());
    }

    /** The container's SSH (and its apps) are gone; a restart gets a new SSH port, so the old one is not advertised. */
    void dropSsh(VastInstance inst) {
        inst.sshPort = null;
        sim.closeSsh(inst);
        inst.ssh = null;
    }

    void stop(VastInstance inst) {
        if ("stopped".equals(inst.state) && "stopped".equals(inst.intendedStatus)) {
            return;
        }
        int gen = ++inst.generation;
        inst.intendedStatus = "stopped";
        inst.nextState = "stopped";
        sim.after(sim.timing("stop", Duration.ofSeconds(3)), () -> {
            if (!current(inst, gen)) {
                return;
            }
            inst.state = "stopped";
            inst.curState = "stopped";
            inst.statusMsg = "stopped";
            dropSsh(inst);
            if (inst.holdsSlot) {
                inst.holdsSlot = false;
                sim.offers.release(inst.machine);
            }
            inst.bill(sim.now(), inst.storageFraction());
        });
    }

    void start(VastInstance inst) {
        if ("running".equals(inst.intendedStatus) && !"stopped".equals(inst.state) && !"exited".equals(inst.state)) {
            return;
        }
        int gen = ++inst.generation;
        inst.intendedStatus = "running";
        inst.nextState = "running";
        inst.state = "scheduling";
        inst.statusMsg = "waiting for the machine's GPUs";
        tryStart(inst, gen);
    }

    /** A restart needs a free slice on the same machine; without one it sits in {@code scheduling}. */
    void tryStart(VastInstance inst, int gen) {
        if (!current(inst, gen)) {
            return;
        }
        Duration wait = sim.timing("start", Duration.ofSeconds(5));
        if (inst.holdsSlot || sim.offers.reserve(inst.machine)) {
            inst.holdsSlot = true;
            sim.after(wait, () -> {
                if (current(inst, gen)) {
                    toRunning(inst);
                }
            });
        } else {
            sim.after(wait, () -> tryStart(inst, gen));
        }
    }

    void destroyNow(VastInstance inst) {
        inst.generation++;
        sim.markDestroyed(inst);
        inst.destroyedAt = sim.now();
        inst.state = null;
        inst.curState = "unloaded";
        inst.intendedStatus = "stopped";
        if (inst.holdsSlot) {
            inst.holdsSlot = false;
            sim.offers.release(inst.machine);
        }
    }
}
