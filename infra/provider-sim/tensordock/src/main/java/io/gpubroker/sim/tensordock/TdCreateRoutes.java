package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;

/** Create: validates a JSON:API create, resolves the SSH key secret, places the VM on a hostnode that fits and boots it. */
final class TdCreateRoutes {

    static final String NO_NODES = "No available nodes found";
    static final String NO_IPS = "No available public IPs on hostnode";

    private final TensorDockSim sim;

    TdCreateRoutes(TensorDockSim sim) {
        this.sim = sim;
    }

    void create(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().available() ? ctx.body().asJsonObject() : null;
        } catch (DecodeException | ClassCastException e) {
            json(
                    ctx,
                    400,
                    List.of(new TdJson.ValidationIssue(
                            "invalid_json", "Request body must be a JSON object", List.of())));
            return;
        }
        CreateRequest.Parsed parsed = CreateRequest.parse(body, sim.rules);
        if (!parsed.issues().isEmpty()) {
            json(ctx, 400, parsed.issues());
            return;
        }
        CreateRequest req = parsed.request();
        String key = req.sshKey();
        if (req.sshKeyId() != null) {
            TdAccountRoutes.Secret s = sim.secrets.get(req.sshKeyId());
            if (s == null || !s.type().equals("SSHKEY")) {
                json(
                        ctx,
                        400,
                        List.of(new TdJson.ValidationIssue(
                                "invalid", "SSH key not found", List.of("data", "attributes", "ssh_key_id"))));
                return;
            }
            key = s.value();
        }
        if (sim.balance() < sim.config().getDouble("tensordock.min-balance", 1.0)) {
            sim.error(ctx, 402, "Insufficient balance: at least $1.00 is required to deploy");
            return;
        }
        Hostnode node;
        if (req.hostnodeId() != null) {
            node = sim.catalog.hostnodesById.get(req.hostnodeId());
            if (node == null) {
                json(
                        ctx,
                        400,
                        List.of(new TdJson.ValidationIssue(
                                "invalid", "Hostnode not found", List.of("data", "attributes", "hostnode_id"))));
                return;
            }
            if (req.gpuCount() > 0 && !node.gpuName.v0Name().equals(req.v0Name())) {
                json(
                        ctx,
                        400,
                        List.of(new TdJson.ValidationIssue(
                                "invalid",
                                "GPU model " + req.v0Name() + " is not available on this hostnode",
                                List.of("data", "attributes", "resources", "gpus"))));
                return;
            }
        } else if (!sim.catalog.locationsById.containsKey(req.locationId())) {
            json(
                    ctx,
                    400,
                    List.of(new TdJson.ValidationIssue(
                            "invalid", "Location not found", List.of("data", "attributes", "location_id"))));
            return;
        } else {
            node = null;
        }
        if (sim.settings.staleCreateFailureRate > 0
                && sim.random().nextDouble() < sim.settings.staleCreateFailureRate) {
            sim.error200(ctx, NO_NODES);
            return;
        }
        String placementError = null;
        if (node != null) {
            placementError = fitError(node, req);
        } else {
            placementError = NO_NODES;
            for (Hostnode h : sim.catalog.candidates(req.locationId(), req.v0Name())) {
                String err = fitError(h, req);
                if (err == null) {
                    node = h;
                    placementError = null;
                    break;
                }
                if (err.equals(NO_IPS)) {
                    placementError = NO_IPS;
                }
            }
        }
        if (placementError != null) {
            sim.error200(ctx, placementError);
            return;
        }
        TdInstance vm = sim.lifecycle.place(
                node,
                req.name(),
                req.image(),
                req.gpuCount(),
                req.vcpu(),
                req.ramGb(),
                req.storageGb(),
                req.useDedicatedIp(),
                sim.settings.ignorePortForwards ? List.of() : req.portForwards(),
                sim.stCreating);
        if (key != null && sim.settings.sshKeyAttributeInstalls) {
            vm.pendingKeys.add(key);
        }
        vm.pendingKeys.addAll(req.cloudInit().runcmdKeyLines());
        vm.pendingKeys.addAll(req.cloudInit().writeFilesKeys());
        if (sim.settings.cloudInitAuthorizedKeysInstall) {
            vm.pendingKeys.addAll(req.cloudInit().sshAuthorizedKeys());
        }
        vm.rootLogin = req.cloudInit().forRoot();
        sim.takeInstanceFault(vm);
        int ep = vm.epoch;
        sim.after(sim.timing("boot", Duration.ofSeconds(15)), () -> {
            if (sim.lifecycle.current(vm, ep) && !"stuck".equals(vm.fault)) {
                sim.lifecycle.boot(vm);
            }
        });
        json(
                ctx,
                sim.config().getInt("tensordock.create-http-status", 200),
                new TdJson.CreatedBody(new TdJson.Created(
                        "virtualmachine",
                        vm.id,
                        vm.tag,
                        sim.config().get("tensordock.create-response-status", sim.stRunning))));
    }

    /** Why {@code req} cannot go on {@code h} right now (live capacity), or null when it fits. */
    private String fitError(Hostnode h, CreateRequest req) {
        if (!h.fits(req.gpuCount(), req.vcpu(), req.ramGb(), req.storageGb())) {
            return NO_NODES;
        }
        if (req.useDedicatedIp() && h.dedicatedIpFree <= 0) {
            return NO_IPS;
        }
        if (!req.useDedicatedIp()
                && !sim.settings.ignorePortForwards
                && h.freePorts().size() < req.portForwards().size()) {
            return NO_NODES;
        }
        return null;
    }
}
