package io.gpubroker.sim.rackrr;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Renders a VM as Rackrr's JSON (field names GUESSED, see {@link Fields}) and an offer for {@code /_sim}. */
final class RackrrViews {

    private final RackrrSim sim;

    RackrrViews(RackrrSim sim) {
        this.sim = sim;
    }

    static Map<String, Object> offerControlView(RackrrOffer o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider_ref", o.providerRef);
        m.put("gpu_model", o.gpuModel);
        m.put("vm_type", o.kind().name().toLowerCase());
        m.put("fixed_spec", o.fixedSpec);
        m.put("price_per_hour", o.price);
        m.put("listed_price_per_hour", o.listedPrice);
        m.put("free_gpus", o.freeGpus);
        m.put("total_gpus", o.totalGpus);
        m.put("listed_available", o.listedAvailable);
        return m;
    }

    /** The VM object (field names GUESSED; see {@link Fields}). */
    Map<String, Object> view(RackrrVm vm) {
        RackrrOffer o = vm.offer;
        Map<String, Object> m = new LinkedHashMap<>();
        sim.fields.put(m, "id", vm.id);
        sim.fields.put(m, "user_provided_name", vm.tag);
        sim.fields.put(m, "status", vm.state);
        sim.fields.put(m, "provider_id", o.upstream.id());
        sim.fields.put(m, "provider_ref", o.providerRef);
        sim.fields.put(m, "provider_name", o.upstream.name());
        sim.fields.put(m, "gpu_model", o.gpuModel);
        sim.fields.put(m, "gpu_name", o.gpuName);
        sim.fields.put(m, "gpu_count", vm.gpuCount);
        sim.fields.put(m, "vcpus", vm.vcpus);
        sim.fields.put(m, "ram", vm.ram);
        sim.fields.put(m, "storage", vm.storage);
        sim.fields.put(m, "price_per_hour", vm.pricePerHour);
        sim.fields.put(m, "currency", "USD");
        sim.fields.put(m, "location", o.seed.country());
        Map<String, Object> notes = o.notes();
        if (notes != null) {
            sim.fields.put(m, "notes", notes);
        }
        sim.fields.put(m, "ip_address", vm.ipAddress);
        sim.fields.put(m, "ssh_port", vm.sshPort);
        sim.fields.put(m, "ssh_user", sim.sshUser);
        Map<String, Object> usage = new LinkedHashMap<>();
        sim.fields.put(usage, "total_cost", vm.accrued(sim.now()));
        sim.fields.put(usage, "currency", "USD");
        sim.fields.put(m, "usage", usage);
        sim.fields.put(m, "created_at", iso(vm.createdAt));
        sim.fields.put(m, "updated_at", iso(vm.updatedAt));
        return m;
    }

    static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
