package io.gpubroker.sim.rackrr;

import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.sim.core.SimConfig;
import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The offers behind {@code GET /vms/available}, built deterministically from the shared
 * {@link GpuCatalog} seeds. The listing is served from cached JSON so 20,000+ offers stay cheap;
 * only offers whose listed price or availability changed are re-encoded after a snapshot.
 */
final class RackrrCatalog {

    /** Core model name → Rackrr slug (TensorDock {@code v0Name} style) and display name. */
    private static final Map<String, String[]> SLUGS = Map.ofEntries(
            Map.entry("RTX 3090", new String[] {"geforcertx3090-pcie-24gb", "NVIDIA GeForce RTX 3090 PCIe 24GB"}),
            Map.entry("RTX 4090", new String[] {"geforcertx4090-pcie-24gb", "NVIDIA GeForce RTX 4090 PCIe 24GB"}),
            Map.entry("RTX 5090", new String[] {"geforcertx5090-pcie-32gb", "NVIDIA GeForce RTX 5090 PCIe 32GB"}),
            Map.entry("RTX A6000", new String[] {"rtxa6000-pcie-48gb", "NVIDIA RTX A6000 PCIe 48GB"}),
            Map.entry("RTX 6000 Ada", new String[] {"rtx6000ada-pcie-48gb", "NVIDIA RTX 6000 Ada PCIe 48GB"}),
            Map.entry("L4", new String[] {"l4-pcie-24gb", "NVIDIA L4 PCIe 24GB"}),
            Map.entry("A10", new String[] {"a10-pcie-24gb", "NVIDIA A10 PCIe 24GB"}),
            Map.entry("L40S", new String[] {"l40s-pcie-48gb", "NVIDIA L40S PCIe 48GB"}),
            Map.entry("A40", new String[] {"a40-pcie-48gb", "NVIDIA A40 PCIe 48GB"}),
            Map.entry("A100 40GB", new String[] {"a100-pcie-40gb", "NVIDIA A100 PCIe 40GB"}),
            Map.entry("A100 80GB", new String[] {"a100-sxm4-80gb", "NVIDIA A100 SXM4 80GB"}),
            Map.entry("H100 80GB", new String[] {"h100-sxm5-80gb", "NVIDIA H100 SXM5 80GB"}),
            Map.entry("H200", new String[] {"h200-sxm5-141gb", "NVIDIA H200 SXM5 141GB"}),
            Map.entry("V100 32GB", new String[] {"v100-sxm2-32gb", "NVIDIA Tesla V100 SXM2 32GB"}));

    private static final List<RackrrOffer.Upstream> UPSTREAMS = List.of(
            upstream("hostnode-market", RackrrOffer.Kind.DEDICATED),
            upstream("metal-dc", RackrrOffer.Kind.DEDICATED),
            upstream("shared-pool", RackrrOffer.Kind.SHARED_NO_QUEUE),
            upstream("scheduled-pool", RackrrOffer.Kind.SCHEDULED));

    private final List<RackrrOffer> offers;
    private final Map<String, RackrrOffer> byRef = new HashMap<>();
    private final Fields fields;
    private final Random drift;
    private final double driftPct;
    private String allJson;

    RackrrCatalog(SimConfig config, Fields fields) {
        this.fields = fields;
        long seed = config.getInt("seed", 42);
        int size = config.getInt("rackrr.offers", 40);
        this.drift = new Random(seed * 31 + 7);
        this.driftPct = config.getDouble("rackrr.price-drift-pct", 0.02);
        int[] mix = parseMix(config.get("rackrr.kind-mix", "dedicated=6,shared=2,scheduled=2"));
        double fixedShare = config.getDouble("rackrr.fixed-spec-share", 0.5);
        Random rnd = new Random(seed * 17 + 3);
        List<RackrrOffer> out = new ArrayList<>(size);
        for (GpuCatalog.OfferSeed s : GpuCatalog.generate(seed, size)) {
            RackrrOffer.Kind kind = pickKind(rnd, mix);
            List<RackrrOffer.Upstream> candidates =
                    UPSTREAMS.stream().filter(u -> u.kind() == kind).toList();
            RackrrOffer.Upstream up = candidates.get(s.index() % candidates.size());
            boolean fixed = kind == RackrrOffer.Kind.SCHEDULED && rnd.nextDouble() < fixedShare;
            String ref = String.format("%08x%016x", 0x69079afcL + s.index(), rnd.nextLong());
            String[] slug = SLUGS.getOrDefault(s.model().name(), new String[] {
                s.model().name().toLowerCase().replace(' ', '-'),
                "NVIDIA " + s.model().name()
            });
            RackrrOffer o = new RackrrOffer(s, up, ref, slug[0], slug[1], fixed);
            out.add(o);
            byRef.put(ref, o);
        }
        this.offers = Collections.unmodifiableList(out);
    }

    List<RackrrOffer> all() {
        return offers;
    }

    RackrrOffer byRef(String providerRef) {
        return byRef.get(providerRef);
    }

    void reset() {
        offers.forEach(RackrrOffer::reset);
        allJson = null;
    }

    /** Takes a new snapshot of live prices and capacity for the listing. */
    void refreshSnapshot() {
        for (RackrrOffer o : offers) {
            o.snapshot();
        }
        allJson = null;
    }

    /** One random-walk step of every live price, kept within 60%..160% of the base price. */
    void driftPrices() {
        for (RackrrOffer o : offers) {
            double next = o.price * (1 + drift.nextGaussian() * driftPct);
            o.price = GpuCatalog.round(Math.max(o.basePrice * 0.6, Math.min(o.basePrice * 1.6, next)), 4);
        }
    }

    /** The listing as JSON text; {@code filter} null means every listed offer (served from cache). */
    String listing(Predicate<RackrrOffer> filter) {
        if (filter == null && allJson != null) {
            return allJson;
        }
        StringBuilder sb = new StringBuilder(filter == null ? offers.size() * 600 : 4096).append('[');
        boolean first = true;
        for (RackrrOffer o : offers) {
            if (!o.listed() || filter != null && !filter.test(o)) {
                continue;
            }
            if (o.listedJson == null) {
                o.listedJson = Json.encode(view(o));
            }
            if (!first) {
                sb.append(',');
            }
            sb.append(o.listedJson);
            first = false;
        }
        String json = sb.append(']').toString();
        if (filter == null) {
            allJson = json;
        }
        return json;
    }

    /** The offer as listed (snapshot values). Field names GUESSED, renamable through {@link Fields}. */
    Map<String, Object> view(RackrrOffer o) {
        Map<String, Object> m = new LinkedHashMap<>();
        fields.put(m, "provider_id", o.upstream.id());
        fields.put(m, "provider_ref", o.providerRef);
        fields.put(m, "provider_name", o.upstream.name());
        fields.put(m, "gpu_model", o.gpuModel);
        fields.put(m, "gpu_name", o.gpuName);
        fields.put(m, "gpu_count", o.gpuCount);
        fields.put(m, "max_gpu_count", o.gpuCount);
        fields.put(m, "vram", o.seed.model().vramGb());
        fields.put(m, "vcpus", o.vcpus);
        fields.put(m, "max_vcpus", o.maxVcpus);
        fields.put(m, "ram", o.ram);
        fields.put(m, "max_ram", o.maxRam);
        fields.put(m, "storage", o.storage);
        fields.put(m, "max_storage", o.maxStorage);
        fields.put(m, "price_per_hour", o.listedPrice);
        fields.put(m, "currency", "USD");
        fields.put(m, "location", o.seed.country());
        fields.put(m, "region", o.seed.location());
        fields.put(m, "cuda_version", String.format("%.1f", o.seed.cudaMaxGood()));
        fields.put(m, "reliability", o.seed.reliability());
        fields.put(m, "available", o.listedAvailable);
        Map<String, Object> notes = o.notes();
        if (notes != null) {
            fields.put(m, "notes", notes);
        }
        return m;
    }

    private static RackrrOffer.Upstream upstream(String name, RackrrOffer.Kind kind) {
        String id = UUID.nameUUIDFromBytes(("rackrr-upstream-" + name).getBytes(StandardCharsets.UTF_8))
                .toString();
        return new RackrrOffer.Upstream(id, name, kind);
    }

    private static int[] parseMix(String spec) {
        int[] w = new int[3];
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=");
            int v = Integer.parseInt(kv[1].trim());
            switch (kv[0].trim()) {
                case "dedicated" -> w[0] = v;
                case "shared" -> w[1] = v;
                case "scheduled" -> w[2] = v;
                default -> throw new IllegalArgumentException("rackrr.kind-mix: unknown kind " + kv[0]);
            }
        }
        if (w[0] + w[1] + w[2] <= 0) {
            throw new IllegalArgumentException("rackrr.kind-mix: weights must add up to more than 0");
        }
        return w;
    }

    private static RackrrOffer.Kind pickKind(Random rnd, int[] w) {
        int r = rnd.nextInt(w[0] + w[1] + w[2]);
        return r < w[0]
                ? RackrrOffer.Kind.DEDICATED
                : r < w[0] + w[1] ? RackrrOffer.Kind.SHARED_NO_QUEUE : RackrrOffer.Kind.SCHEDULED;
    }
}
