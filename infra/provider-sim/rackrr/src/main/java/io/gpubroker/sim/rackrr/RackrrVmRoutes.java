package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.rackrr.RackrrRequests.body;
import static io.gpubroker.sim.rackrr.RackrrRequests.checkRange;
import static io.gpubroker.sim.rackrr.RackrrRequests.integer;
import static io.gpubroker.sim.rackrr.RackrrRequests.isOpenSshKey;
import static io.gpubroker.sim.rackrr.RackrrRequests.str;

import io.gpubroker.sim.core.SimInstance;
import io.gpubroker.sim.rackrr.RackrrSim.ApiError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** VM routes: provision (dedicated, shared, scheduled), list, get, start, stop and terminate. */
final class RackrrVmRoutes {

    private final RackrrSim sim;

    RackrrVmRoutes(RackrrSim sim) {
        this.sim = sim;
    }

    void provision(RoutingContext ctx) {
        JsonObject b = body(ctx);
        String providerId = str(b, "provider_id");
        String providerRef = str(b, "provider_ref");
        String gpuModel = str(b, "gpu_model");
        int gpuCount = integer(b, "gpu_count");
        int vcpus = integer(b, "vcpus");
        int ram = integer(b, "ram");
        int storage = integer(b, "storage");
        String name = str(b, "user_provided_name");
        String key = str(b, "ssh_public_key");
        if (vcpus % 2 != 0 || ram % 2 != 0) {
            throw new ApiError(400, "vcpus and ram must be even numbers");
        }
        if (!isOpenSshKey(key)) {
            throw new ApiError(400, "ssh_public_key must be an OpenSSH public key (e.g. ssh-ed25519 AAAA...)");
        }
        RackrrOffer offer = sim.catalog.byRef(providerRef);
        if (offer == null || !offer.upstream.id().equals(providerId)) {
            throw new ApiError(404, "Provider not found");
        }
        if (!offer.gpuModel.equals(gpuModel)) {
            throw new ApiError(400, "GPU model " + gpuModel + " is not offered by this provider");
        }
        if (offer.fixedSpec
                && (gpuCount != offer.gpuCount
                        || vcpus != offer.vcpus
                        || ram != offer.ram
                        || storage != offer.storage)) {
            throw new ApiError(
                    400, "This VM is a fixed-spec bundle: gpu_count, vcpus, ram and storage cannot be customised");
        }
        checkRange("gpu_count", gpuCount, 1, offer.gpuCount);
        checkRange("vcpus", vcpus, 2, offer.maxVcpus);
        checkRange("ram", ram, 2, offer.maxRam);
        checkRange("storage", storage, 10, offer.maxStorage);
        double price = offer.priceFor(gpuCount);
        if (sim.wallet.balance(sim.vms(), sim.now()).doubleValue() < price) {
            throw new ApiError(sim.insufficientFundsStatus, "Insufficient wallet balance. Please top up your wallet.");
        }
        RackrrVm vm = new RackrrVm(
                sim.newId(),
                name,
                sim.provisioning,
                BigDecimal.valueOf(price),
                sim.now(),
                offer,
                gpuCount,
                vcpus,
                ram,
                storage,
                key);
        boolean placed = sim.lifecycle.acquire(vm);
        if (!placed && offer.kind() != RackrrOffer.Kind.SCHEDULED) {
            throw new ApiError(sim.noCapacityStatus, sim.noCapacityMessage);
        }
        sim.takeInstanceFault(vm);
        sim.register(vm);
        if (placed) {
            sim.lifecycle.beginProvisioning(vm);
        } else {
            sim.lifecycle.setStatus(vm, RackrrSim.SCHEDULED);
            sim.waiting.add(vm);
        }
        json(ctx, sim.provisionStatus, sim.views.view(vm));
    }

    void list(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SimInstance i : sim.vms()) {
            if (i instanceof RackrrVm vm && visible(vm)) {
                out.add(sim.views.view(vm));
            }
        }
        json(ctx, 200, out);
    }

    void start(RoutingContext ctx) {
        RackrrVm vm = find(ctx);
        if (!RackrrSim.STOPPED.equals(vm.state)) {
            throw new ApiError(400, "VM must be in a stopped state to start (current status: " + vm.state + ")");
        }
        if (sim.lifecycle.acquire(vm)) {
            sim.lifecycle.beginStarting(vm);
        } else if (vm.offer.kind() == RackrrOffer.Kind.SCHEDULED) {
            sim.lifecycle.setStatus(vm, RackrrSim.SCHEDULED);
            sim.waiting.add(vm);
        } else {
            throw new ApiError(sim.noCapacityStatus, sim.noCapacityMessage);
        }
        json(ctx, 200, sim.views.view(vm));
    }

    void stop(RoutingContext ctx) {
        RackrrVm vm = find(ctx);
        if (RackrrSim.SCHEDULED.equals(vm.state)) {
            // documented: stopping a scheduled VM cancels the scheduled start
            sim.waiting.remove(vm);
            sim.lifecycle.setStatus(vm, RackrrSim.STOPPED);
        } else if (RackrrSim.RUNNING.equals(vm.state) || sim.hostOffline.equals(vm.state)) {
            sim.lifecycle.setStatus(vm, RackrrSim.STOPPING);
            sim.closeSsh(vm);
            sim.lifecycle.later(vm, sim.timing("stopping", Duration.ofSeconds(10)), () -> sim.lifecycle.finishStop(vm));
        } else {
            throw new ApiError(400, "VM cannot be stopped in its current status: " + vm.state);
        }
        json(ctx, 200, sim.views.view(vm));
    }

    void terminate(RoutingContext ctx) {
        RackrrVm vm = find(ctx);
        if (vm.terminatedAt == null) {
            sim.lifecycle.setStatus(vm, sim.terminated);
            vm.terminatedAt = sim.now();
            vm.ipAddress = null;
            vm.sshPort = null;
            sim.waiting.remove(vm);
            sim.markDestroyed(vm);
            sim.wallet.debit(vm, sim.now());
            sim.lifecycle.release(vm);
        }
        if (sim.terminateEnvelope) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "VM terminated");
            sim.fields.put(m, "vm", sim.views.view(vm));
            json(ctx, 200, m);
        } else {
            json(ctx, 200, sim.views.view(vm));
        }
    }

    RackrrVm find(RoutingContext ctx) {
        if (sim.byId(ctx.pathParam("id")) instanceof RackrrVm vm && visible(vm)) {
            return vm;
        }
        throw new ApiError(404, "VM not found");
    }

    /** Terminated VMs stay listed with their terminal status for {@code rackrr.terminated-retention}. */
    private boolean visible(RackrrVm vm) {
        return vm.terminatedAt == null
                || sim.now().isBefore(vm.terminatedAt.plus(sim.timing("terminated-retention", Duration.ofHours(1))));
    }
}
