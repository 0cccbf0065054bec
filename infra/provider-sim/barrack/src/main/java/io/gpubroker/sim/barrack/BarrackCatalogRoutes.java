package io.gpubroker.sim.barrack;

import static io.gpubroker.sim.barrack.BarrackRequests.body;
import static io.gpubroker.sim.barrack.BarrackRequests.intParam;
import static io.gpubroker.sim.barrack.BarrackRequests.round;
import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Catalog routes: GPU stock, pricing (USD, EUR, INR), regions, GPU specs and OS images. */
final class BarrackCatalogRoutes {

    private final BarrackSim sim;

    BarrackCatalogRoutes(BarrackSim sim) {
        this.sim = sim;
    }

    void stocks(RoutingContext ctx) {
        MultiMap q = ctx.queryParams();
        String model = q.get("gpu_model") != null ? q.get("gpu_model") : q.get("model");
        Integer count = q.get("gpu_count") == null ? null : intParam(q.get("gpu_count"), "gpu_count");
        sim.ok(
                ctx,
                200,
                "GPU stock retrieved successfully",
                Map.of("stocks", sim.catalog.stocks(q.get("region"), model, q.get("tier"), count)),
                null,
                null);
    }

    void pricing(RoutingContext ctx) {
        JsonObject p = new JsonObject();
        ctx.queryParams().forEach(e -> p.put(e.getKey(), e.getValue()));
        if (ctx.request().method() == HttpMethod.POST && ctx.body().available()) {
            body(ctx).forEach(e -> p.put(e.getKey(), e.getValue()));
        }
        String tier = p.getString("tier");
        String currency = p.getString("currency");
        String resource = p.getString("resource_type");
        String model = p.getString("gpu_model");
        if (tier != null && !Set.of("legacy", "advanced").contains(tier)) {
            throw new BadRequest("tier must be one of: legacy, advanced");
        }
        if (currency != null && !Set.of("USD", "EUR", "INR").contains(currency)) {
            throw new BadRequest("currency must be one of: USD, EUR, INR");
        }
        if (resource != null && !Set.of("gpus", "volumes", "snapshots").contains(resource)) {
            throw new BadRequest("resource_type must be one of: gpus, volumes, snapshots");
        }
        if (model != null && BarrackCatalog.model(model) == null) {
            throw new BadRequest("\"" + model + "\" is not a valid choice for gpu_model.");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (resource == null || resource.equals("gpus")) {
            Map<String, Object> byTier = new LinkedHashMap<>();
            for (BarrackCatalog.Model m : BarrackCatalog.MODELS) {
                if (tier != null && !m.tier().equals(tier)
                        || model != null && !m.name().equals(model)) {
                    continue;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("prices", prices(sim.catalog.price(m.name()), currency));
                entry.put("max_count", m.maxCount());
                entry.put("unit", "per GPU per hour");
                @SuppressWarnings("unchecked")
                Map<String, Object> t =
                        (Map<String, Object>) byTier.computeIfAbsent(m.tier(), k -> new LinkedHashMap<>());
                t.put(m.name(), entry);
            }
            out.put("gpus", Map.of("pricing", byTier, "description", "GPU pricing by model and tier"));
        }
        if (resource == null || resource.equals("volumes")) {
            Map<String, Object> byTier = new LinkedHashMap<>();
            if (tier == null || tier.equals("legacy")) {
                byTier.put("legacy", Map.of("SSD", volumePrice(0.1, currency)));
            }
            if (tier == null || tier.equals("advanced")) {
                byTier.put("advanced", Map.of("HDD", volumePrice(0.08, currency), "NVMe", volumePrice(0.3, currency)));
            }
            out.put("volumes", Map.of("pricing", byTier, "minimum_size_gb", 100));
        }
        if (resource == null || resource.equals("snapshots")) {
            Map<String, Object> byTier = new LinkedHashMap<>();
            for (String t : List.of("legacy", "advanced")) {
                if (tier == null || tier.equals(t)) {
                    byTier.put(
                            t,
                            Map.of(
                                    "prices",
                                    prices(0.1, currency),
                                    "fixed_size_gb",
                                    100,
                                    "unit",
                                    "per hour (fixed 100GB)"));
                }
            }
            out.put("snapshots", Map.of("pricing", byTier));
        }
        out.put(
                "metadata",
                Map.of(
                        "supported_currencies",
                        List.of("USD", "EUR", "INR"),
                        "supported_tiers",
                        List.of("legacy", "advanced"),
                        "volume_minimum_size_gb",
                        100,
                        "authentication_type",
                        "api_key",
                        "timestamp",
                        sim.now().getEpochSecond()));
        json(
                ctx,
                200,
                new BarrackApi.PricingEnvelope(
                        true, "Pricing information retrieved successfully", out, sim.requestId()));
    }

    private Map<String, Object> prices(double usd, String currency) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (currency == null || currency.equals("USD")) {
            m.put("USD", usd);
        }
        if (currency == null || currency.equals("EUR")) {
            m.put("EUR", round(usd * sim.config().getDouble("barrack.fx.EUR", 1.08), 4));
        }
        if (currency == null || currency.equals("INR")) {
            m.put("INR", round(usd * sim.config().getDouble("barrack.fx.INR", 84.0), 2));
        }
        return m;
    }

    private Map<String, Object> volumePrice(double usdPerTb, String currency) {
        return Map.of("prices", prices(usdPerTb, currency), "unit", "per TB per hour");
    }

    void regions(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BarrackCatalog.Region r : BarrackCatalog.REGIONS) {
            out.add(Map.of(
                    "name",
                    r.name(),
                    "tier",
                    r.tier(),
                    "location",
                    r.location(),
                    "country",
                    r.country(),
                    "gpu_models",
                    BarrackCatalog.MODELS.stream()
                            .filter(m -> m.tier().equals(r.tier()))
                            .map(BarrackCatalog.Model::name)
                            .toList()));
        }
        sim.ok(ctx, 200, "Regions retrieved successfully", Map.of("regions", out), null, null);
    }

    void gpuSpecs(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BarrackCatalog.Model m : BarrackCatalog.MODELS) {
            List<Map<String, Object>> flavors = new ArrayList<>();
            for (int c : BarrackCatalog.COUNTS) {
                if (c <= m.maxCount()) {
                    flavors.add(Map.of("gpu_count", c, "vcpus", m.vcpusPerGpu() * c, "ram_gb", m.ramGbPerGpu() * c));
                }
            }
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("model", m.name());
            spec.put("tier", m.tier());
            spec.put("vram_gb", m.vramMib() / 1024);
            spec.put("max_count", m.maxCount());
            spec.put("cuda_version", m.cuda());
            spec.put("driver_version", m.driver());
            spec.put(
                    "regions",
                    BarrackCatalog.REGIONS.stream()
                            .filter(r -> r.tier().equals(m.tier()))
                            .map(BarrackCatalog.Region::name)
                            .toList());
            spec.put("flavors", flavors);
            out.add(spec);
        }
        sim.ok(ctx, 200, "GPU specifications retrieved successfully", Map.of("gpu_specs", out), null, null);
    }

    List<String> images() {
        return List.of(sim.config()
                .get(
                        "barrack.images",
                        "Ubuntu 24.04 + CUDA 12.8 Open + Docker,Ubuntu Server 22.04 LTS R535 CUDA 12.2,Ubuntu Server 24.04 LTS")
                .split(","));
    }

    void osImages(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        int id = 1;
        for (String img : images()) {
            out.add(Map.of(
                    "id",
                    id++,
                    "name",
                    img.trim(),
                    "type",
                    "os",
                    "regions",
                    BarrackCatalog.REGIONS.stream()
                            .map(BarrackCatalog.Region::name)
                            .toList()));
        }
        sim.ok(ctx, 200, "OS images retrieved successfully", Map.of("images", out), null, null);
    }

    static double volumeRate(String type, int sizeGb) {
        double perTb = switch (type) {
            case "NVMe" -> 0.3;
            case "SSD" -> 0.1;
            default -> 0.08;
        };
        return round(sizeGb / 1024.0 * perTb, 4);
    }
}
