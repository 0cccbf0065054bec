package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Instance routes: list (two envelopes), get (flat or enveloped), port forwards, delete, stop (then disassociate) and start. */
final class TdInstanceRoutes {

    private final TensorDockSim sim;

    TdInstanceRoutes(TensorDockSim sim) {
        this.sim = sim;
    }

    void list(RoutingContext ctx) {
        List<TdInstance> visible =
                sim.vms.values().stream().filter(v -> v.visible).toList();
        if ("flat".equals(sim.settings.listEnvelope)) {
            json(
                    ctx,
                    200,
                    new TdJson.ListFlat(visible.stream()
                            .map(v -> new TdJson.ListFlatItem(
                                    "virtualmachine",
                                    v.id,
                                    v.tag,
                                    v.state,
                                    v.ipAddress,
                                    portForwards(v),
                                    v.hostnode.gpuName.v0Name(),
                                    v.gpuCount,
                                    v.vcpu,
                                    v.ramGb,
                                    v.storageGb,
                                    v.rateHourly,
                                    v.createdAt.toString(),
                                    v.hostnode.location.id()))
                            .toList()));
        } else {
            json(
                    ctx,
                    200,
                    new TdJson.ListDocumented(new TdJson.ListData(
                            visible.stream().map(this::enveloped).toList())));
        }
    }

    private TdJson.InstanceData enveloped(TdInstance v) {
        return new TdJson.InstanceData(
                "virtualmachine",
                v.id,
                new TdJson.InstanceAttributes(v.tag, v.state, v.ipAddress, portForwards(v), v.rateHourly));
    }

    void get(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if ("data".equals(sim.settings.getEnvelope)) {
            json(ctx, 200, new TdJson.InstanceEnvelope(enveloped(v)));
            return;
        }
        json(
                ctx,
                200,
                new TdJson.InstanceFlat(
                        "virtualmachine",
                        v.id,
                        v.tag,
                        v.state,
                        v.ipAddress,
                        portForwards(v),
                        v.rateHourly,
                        v.hostnode.location.id(),
                        v.hostnode.id,
                        v.image,
                        v.useDedicatedIp,
                        new TdJson.Resources(
                                v.vcpu,
                                v.ramGb,
                                v.storageGb,
                                v.gpuCount == 0
                                        ? Map.of()
                                        : Map.of(v.hostnode.gpuName.v0Name(), new TdJson.GpuCount(v.gpuCount))),
                        v.createdAt.toString()));
    }

    /**
     * What TensorDock reports as forwards. The forward of port 22 carries the SSH server's real
     * loopback port (TensorDock may hand out another external port than requested), other forwards
     * the loopback port their app ({@code docker run -p internal:...}) listens on. With a
     * dedicated IP the list is empty on the real API; on loopback port 22 is impossible, so the
     * simulator reports the SSH forward there too unless {@code tensordock.dedicated-ip-reports-ssh-forward=false}.
     */
    private List<TdJson.PortForward> portForwards(TdInstance v) {
        int sshPort = v.ssh != null && v.ipAddress != null ? v.ssh.port() : 0;
        List<TdJson.PortForward> out = new ArrayList<>();
        if (v.useDedicatedIp) {
            if (sshPort > 0 && sim.config().getBool("tensordock.dedicated-ip-reports-ssh-forward", true)) {
                out.add(new TdJson.PortForward(22, sshPort));
            }
            return out;
        }
        for (TdInstance.Forward f : v.forwards) {
            int external = f.internalPort() == 22 ? (sshPort > 0 ? sshPort : f.assignedExternal()) : f.external();
            if (external > 0) {
                out.add(new TdJson.PortForward(f.internalPort(), external));
            }
        }
        return out;
    }

    void destroy(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if (v.state.equals(sim.stDeleting)) {
            sim.error(ctx, 404, "Instance not found");
            return;
        }
        v.epoch++;
        sim.lifecycle.releaseCompute(v);
        sim.lifecycle.releaseStorage(v);
        sim.markDestroyed(v);
        Duration deleting = sim.timing("delete", Duration.ZERO);
        if (deleting.isZero()) {
            v.state = sim.stDeleted;
            v.visible = false;
        } else {
            v.state = sim.stDeleting;
            sim.after(deleting, () -> {
                v.state = sim.stDeleted;
                v.visible = false;
            });
        }
        json(
                ctx,
                200,
                new TdJson.DeletedBody(new TdJson.DeletedData(
                        "success", new TdJson.MessageAttributes("Instance deleted successfully"))));
    }

    void stop(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if (!v.state.equalsIgnoreCase(sim.stRunning)) {
            sim.error(ctx, 400, "Instance must be running to be stopped (current status: " + v.state + ")");
            return;
        }
        int ep = ++v.epoch;
        v.state = sim.stStopping;
        sim.closeSsh(v);
        sim.after(sim.timing("stop", Duration.ofSeconds(5)), () -> {
            if (!sim.lifecycle.current(v, ep)) {
                return;
            }
            v.state = sim.stStopped;
            sim.lifecycle.charge(v, sim.lifecycle.stoppedFraction(v));
            Duration disassociate = sim.timing("disassociate-after", Duration.ofSeconds(600));
            if (!disassociate.isZero()) {
                sim.after(disassociate, () -> {
                    if (sim.lifecycle.current(v, ep)) {
                        v.state = sim.stDisassociated;
                        sim.lifecycle.releaseCompute(v);
                    }
                });
            }
        });
        json(
                ctx,
                200,
                new TdJson.ActionBody(
                        new TdJson.ActionData("instance", v.id, new TdJson.ActionAttributes(sim.stStopping))));
    }

    void start(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if (!v.state.equalsIgnoreCase(sim.stStopped) && !v.state.equalsIgnoreCase(sim.stDisassociated)) {
            sim.error(ctx, 400, "Instance must be stopped to be started (current status: " + v.state + ")");
            return;
        }
        if (!v.computeHeld) {
            Hostnode h = v.hostnode;
            if (!h.fits(v.gpuCount, v.vcpu, v.ramGb, 0)) {
                sim.error200(ctx, TdCreateRoutes.NO_NODES);
                return;
            }
            h.gpuFree -= v.gpuCount;
            h.vcpuFree -= v.vcpu;
            h.ramFree -= v.ramGb;
            v.computeHeld = true;
        }
        int ep = ++v.epoch;
        v.state = sim.stStarting;
        sim.after(sim.timing("start", Duration.ofSeconds(10)), () -> {
            if (sim.lifecycle.current(v, ep)) {
                sim.lifecycle.boot(v);
            }
        });
        json(
                ctx,
                200,
                new TdJson.ActionBody(
                        new TdJson.ActionData("instance", v.id, new TdJson.ActionAttributes(sim.stStarting))));
    }

    private TdInstance visible(RoutingContext ctx) {
        TdInstance v = sim.vms.get(ctx.pathParam("id"));
        if (v == null || !v.visible) {
            sim.error(ctx, 404, "Instance not found");
            return null;
        }
        return v;
    }
}
