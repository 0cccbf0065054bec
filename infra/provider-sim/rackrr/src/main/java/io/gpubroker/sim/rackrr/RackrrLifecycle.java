package io.gpubroker.sim.rackrr;

import java.time.Duration;
import java.util.Iterator;

/** The VM state machine: provisioning, starting, running once SSH is up, stop, death, and GPU capacity with the scheduled queue. */
final class RackrrLifecycle {

    private final RackrrSim sim;

    RackrrLifecycle(RackrrSim sim) {
        this.sim = sim;
    }

    void beginProvisioning(RackrrVm vm) {
        setStatus(vm, sim.provisioning);
        if (!"stuck".equals(vm.fault)) {
            later(vm, sim.timing("provisioning", Duration.ofSeconds(15)), () -> beginStarting(vm));
        }
    }

    void beginStarting(RackrrVm vm) {
        setStatus(vm, RackrrSim.STARTING);
        if (!"stuck".equals(vm.fault)) {
            later(vm, sim.timing("boot", Duration.ofSeconds(45)), () -> becomeRunning(vm));
        }
    }

    /** Connection details appear, and billing starts, only once the VM's SSH server is up. */
    void becomeRunning(RackrrVm vm) {
        int epoch = vm.epoch;
        sim.openSsh(vm, sim.sshUser, host -> {
            if (!current(vm) || vm.epoch != epoch) {
                sim.closeSsh(vm);
                return;
            }
            host.authorize(vm.sshPublicKey);
            vm.ipAddress = RackrrSim.LOCALHOST;
            vm.sshPort = host.port();
            setStatus(vm, RackrrSim.RUNNING);
            vm.bill(sim.now(), 1.0);
            if ("dies".equals(vm.fault)) {
                later(vm, sim.timing("dies-after", Duration.ofSeconds(60)), () -> die(vm));
            }
        });
    }

    void finishStop(RackrrVm vm) {
        setStatus(vm, RackrrSim.STOPPED);
        vm.ipAddress = null;
        vm.sshPort = null;
        boolean dedicated = vm.offer.kind() == RackrrOffer.Kind.DEDICATED;
        if (dedicated && sim.stoppedBillingFraction > 0) {
            vm.bill(sim.now(), sim.stoppedBillingFraction);
        } else {
            vm.stopBilling(sim.now());
        }
        if (!dedicated) {
            release(vm);
        }
    }

    void die(RackrrVm vm) {
        setStatus(vm, sim.failed);
        sim.closeSsh(vm);
        vm.stopBilling(sim.now());
        sim.wallet.debit(vm, sim.now());
        release(vm);
    }

    void setStatus(RackrrVm vm, String status) {
        vm.state = status;
        vm.updatedAt = sim.now();
        vm.epoch++;
    }

    /** Runs {@code step} after a simulated delay unless the VM moved on (or was reset) meanwhile. */
    void later(RackrrVm vm, Duration delay, Runnable step) {
        int epoch = vm.epoch;
        sim.after(delay, () -> {
            if (current(vm) && vm.epoch == epoch) {
                step.run();
            }
        });
    }

    /** False once terminated, and for VMs dropped by {@code /_sim/reset} (core does not mark those destroyed). */
    boolean current(RackrrVm vm) {
        return !vm.destroyed && sim.byId(vm.id) == vm;
    }

    // ---- capacity ----------------------------------------------------------------------------

    boolean acquire(RackrrVm vm) {
        if (vm.heldGpus > 0) {
            return true;
        }
        if (!vm.offer.hasRoomFor(vm.gpuCount)) {
            return false;
        }
        vm.offer.freeGpus -= vm.gpuCount;
        vm.heldGpus = vm.gpuCount;
        return true;
    }

    void release(RackrrVm vm) {
        if (vm.heldGpus > 0) {
            vm.offer.freeGpus += vm.heldGpus;
            vm.heldGpus = 0;
            promoteScheduled(vm.offer);
        }
    }

    /** Scheduled VMs start by themselves, oldest first, as soon as their offer has room again. */
    void promoteScheduled(RackrrOffer offer) {
        for (Iterator<RackrrVm> it = sim.waiting.iterator(); it.hasNext(); ) {
            RackrrVm vm = it.next();
            if (vm.offer != offer) {
                continue;
            }
            if (!current(vm) || !RackrrSim.SCHEDULED.equals(vm.state)) {
                it.remove();
                continue;
            }
            if (!acquire(vm)) {
                return;
            }
            it.remove();
            beginStarting(vm);
        }
    }
}
