package io.gpubroker.sim.tensordock;

import io.gpubroker.sim.core.SshHost;
import java.time.Duration;
import java.util.List;

/** The VM state machine: placement on a hostnode, boot with SSH, cloud-init keys, billing fraction and capacity release. */
final class TdLifecycle {

    private final TensorDockSim sim;

    TdLifecycle(TensorDockSim sim) {
        this.sim = sim;
    }

    /** Takes capacity on {@code h} and registers a new VM in {@code status}. */
    TdInstance place(
            Hostnode h,
            String name,
            String image,
            int gpus,
            int vcpu,
            int ram,
            int storage,
            boolean dedicatedIp,
            List<TdJson.PortForward> forwards,
            String status) {
        double rate = h.rate(gpus, vcpu, ram, storage);
        TdInstance vm = new TdInstance(
                sim.newId(), name, status, h, image, gpus, vcpu, ram, storage, dedicatedIp, rate, sim.now());
        h.gpuFree -= gpus;
        h.vcpuFree -= vcpu;
        h.ramFree -= ram;
        h.storageFree -= storage;
        vm.computeHeld = true;
        vm.storageHeld = true;
        if (dedicatedIp) {
            h.dedicatedIpFree--;
        } else {
            for (TdJson.PortForward f : forwards) {
                int port = h.takePort(f.externalPort());
                // port 22 reports the SSH server's port once it runs; app ports a real loopback port
                int external = f.internalPort() == 22 ? port : sim.apps(vm).publish(f.internalPort());
                vm.forwards.add(new TdInstance.Forward(f.internalPort(), f.externalPort(), port, external));
            }
        }
        sim.register(vm);
        return vm;
    }

    /** The VM came up: open its SSH server, then report {@code running} with an address. */
    void boot(TdInstance vm) {
        int ep = vm.epoch;
        sim.openSsh(vm, sim.config().get("tensordock.ssh-user", "user"), host -> {
            if (!current(vm, ep)) {
                sim.closeSsh(vm);
                return;
            }
            vm.state = sim.stRunning;
            vm.ipAddress = sim.config().get("tensordock.ip-address", "127.0.0.1");
            charge(vm, 1.0);
            if (vm.rootLogin) {
                host.alsoUser("root");
            }
            sim.after(sim.timing("cloud-init", Duration.ofSeconds(75)), () -> installKeys(vm, host));
            if ("dies".equals(vm.fault)) {
                sim.after(sim.timing("dies-after", Duration.ofSeconds(20)), () -> {
                    if (current(vm, ep)) {
                        sim.applyStateFault(vm, "dies");
                    }
                });
            }
        });
    }

    /** cloud-init has run: the keys it was given are now in authorized_keys. */
    void installKeys(TdInstance vm, SshHost host) {
        if (vm.destroyed || !sim.registered(vm)) {
            return;
        }
        for (String k : vm.pendingKeys) {
            try {
                host.authorize(k);
            } catch (IllegalArgumentException e) {
                // a malformed key line in cloud-init is silently useless on a real VM too
            }
        }
        vm.pendingKeys.clear();
    }

    boolean current(TdInstance v, int epoch) {
        return !v.destroyed && v.epoch == epoch && sim.vms.get(v.id) == v;
    }

    void charge(TdInstance v, double fraction) {
        v.billedFraction = fraction;
        v.bill(sim.now(), fraction);
    }

    double stoppedFraction(TdInstance v) {
        String f = sim.config().get("tensordock.stopped-billing-fraction", "storage");
        return f.equals("storage") ? v.storageFraction() : Double.parseDouble(f);
    }

    void releaseCompute(TdInstance v) {
        if (v.computeHeld) {
            v.hostnode.gpuFree += v.gpuCount;
            v.hostnode.vcpuFree += v.vcpu;
            v.hostnode.ramFree += v.ramGb;
            v.computeHeld = false;
        }
    }

    void releaseStorage(TdInstance v) {
        if (v.storageHeld) {
            v.hostnode.storageFree += v.storageGb;
            if (v.useDedicatedIp) {
                v.hostnode.dedicatedIpFree++;
            }
            v.forwards.forEach(f -> v.hostnode.releasePort(f.assignedExternal()));
            v.storageHeld = false;
        }
    }
}
