package io.gpubroker.sim.barrack;

import static io.gpubroker.sim.barrack.BarrackRequests.body;
import static io.gpubroker.sim.barrack.BarrackRequests.bool;
import static io.gpubroker.sim.barrack.BarrackRequests.integer;
import static io.gpubroker.sim.barrack.BarrackRequests.round;
import static io.gpubroker.sim.barrack.BarrackRequests.string;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/** Deploy: validates a {@code /deploy-server/} request against catalog, stock, balance and quota, then builds the VM. */
final class BarrackDeployRoutes {

    private static final Set<String> VOLUME_TYPES = Set.of("HDD", "SSD", "NVMe");

    private final BarrackSim sim;

    BarrackDeployRoutes(BarrackSim sim) {
        this.sim = sim;
    }

    void deploy(RoutingContext ctx) {
        JsonObject b = body(ctx);
        String modelName = string(b, "gpu_model", true);
        Integer count = integer(b, "gpu_count", true);
        String regionName = string(b, "region", true);
        BarrackCatalog.Model model = BarrackCatalog.model(modelName);
        if (model == null) {
            throw new BadRequest("\"" + modelName + "\" is not a valid choice for gpu_model.");
        }
        if (count < 1 || count > model.maxCount() || Integer.bitCount(count) != 1) {
            throw new BadRequest(
                    "gpu_count must be one of 1, 2, 4, 8 and at most " + model.maxCount() + " for " + modelName);
        }
        BarrackCatalog.Region region = BarrackCatalog.region(regionName);
        if (region == null) {
            throw new BadRequest("\"" + regionName + "\" is not a valid choice for region.");
        }
        if (!region.tier().equals(model.tier())) {
            throw new BadRequest(
                    "GPU model " + modelName + " (" + model.tier() + " tier) is not available in region " + regionName);
        }
        String keyTier = sim.config().get("barrack.api-key-tier", "");
        if (!keyTier.isBlank() && !keyTier.equals(model.tier())) {
            throw new BadRequest(403, "permission_denied", "This API key is scoped to the " + keyTier + " tier.");
        }
        String instanceName = string(b, "instance_name", false);
        if (instanceName != null && (instanceName.isBlank() || instanceName.length() > 255)) {
            throw new BadRequest("instance_name must be 1-255 characters");
        }
        boolean volumeBoot = bool(b, "boot_from_volume", false);
        String image = string(b, "image_name", false);
        String sshKey = string(b, "ssh_key", false);
        List<String> keys = new ArrayList<>();
        if (volumeBoot) {
            String volumeId = string(b, "volume_id", false);
            if (volumeId == null) {
                throw new BadRequest("volume_id is required when boot_from_volume is true");
            }
            throw new BadRequest(404, "not_found", "Volume " + volumeId + " not found");
        }
        if (image == null || sshKey == null) {
            throw new BadRequest("image_name and ssh_key are required for image-based deployment");
        }
        if (sim.config().getBool("barrack.strict-images", false)
                && sim.catalogRoutes.images().stream().noneMatch(i -> i.trim().equals(image))) {
            throw new BadRequest(404, "not_found", "OS image '" + image + "' not found");
        }
        keys.add(resolveKey(sshKey));
        String cloudInit = string(b, "cloud_init", false);
        if (cloudInit != null && sim.config().getBool("barrack.cloud-init-keys", true)) {
            Matcher m = BarrackKeyRoutes.KEY_LINE.matcher(cloudInit);
            while (m.find()) {
                keys.add(m.group());
            }
        }
        int osGb = 100;
        if (b.getValue("os_volume") instanceof JsonObject os) {
            osGb = integer(os, "size", false) == null ? 100 : os.getInteger("size");
        }
        String osType = model.tier().equals("legacy") ? "SSD" : "NVMe";
        double osRate = BarrackCatalogRoutes.volumeRate(osType, osGb);
        List<Map<String, Object>> dataVolumes = new ArrayList<>();
        double dataRate = 0;
        if (b.getValue("volumes") instanceof JsonArray vols) {
            for (Object o : vols) {
                if (!(o instanceof JsonObject v)) {
                    throw new BadRequest("volumes must be a list of {name, size, volume_type}");
                }
                String type = v.getString("volume_type", "HDD");
                if (!VOLUME_TYPES.contains(type)) {
                    throw new BadRequest("\"" + type + "\" is not a valid choice for volume_type.");
                }
                int size = integer(v, "size", true);
                double rate = BarrackCatalogRoutes.volumeRate(type, size);
                dataRate += rate;
                dataVolumes.add(Map.of(
                        "name",
                        v.getString("name", "volume-" + (dataVolumes.size() + 1)),
                        "size_gb",
                        size,
                        "type",
                        type,
                        "hourly_rate",
                        rate));
            }
        }
        List<Object> rules = b.getValue("security_rules") instanceof JsonArray a ? a.getList() : List.of();
        boolean publicIp = bool(b, "public_ip", sim.config().getBool("barrack.public-ip-default", false));

        double gpuRate = round(sim.catalog.price(model.name()) * count, 4);
        double total = round(gpuRate + osRate + dataRate, 4);
        String stockKey = BarrackCatalog.key(region.name(), model.name(), count);
        if (sim.catalog.liveStock(stockKey) <= 0) {
            throw new BadRequest(
                    sim.config().getInt("barrack.no-capacity-status", 503),
                    "insufficient_capacity",
                    "No GPU availability for " + count + "x " + model.name() + " in region " + region.name()
                            + ". Please try another region or configuration.");
        }
        double balance = sim.balanceNow();
        if (balance < total * sim.config().getDouble("barrack.min-balance-hours", 1.0)) {
            throw new BadRequest(
                    402,
                    "insufficient_balance",
                    String.format(
                            "Insufficient credit balance: %.2f USD available, at least %.2f USD required.",
                            balance, total * sim.config().getDouble("barrack.min-balance-hours", 1.0)));
        }
        int gpusInUse = sim.vms.values().stream()
                .filter(v -> !v.gone && v.holdsCapacity)
                .mapToInt(v -> v.gpuCount)
                .sum();
        if (gpusInUse + count > sim.config().getInt("barrack.gpu-quota", 64)) {
            throw new BadRequest(
                    413,
                    "resource_limit_exceeded",
                    "GPU quota exceeded: " + gpusInUse + " GPUs in use, limit "
                            + sim.config().getInt("barrack.gpu-quota", 64));
        }

        String id = sim.newInstanceId();
        String vmName = instanceName != null && sim.config().getBool("barrack.vm-name-echo", true)
                ? instanceName
                : "barrack-" + model.name().toLowerCase().split("-")[0] + "-" + randomLower(3);
        BarrackInstance inst = new BarrackInstance(
                id,
                instanceName,
                vmName,
                region,
                model,
                count,
                gpuRate,
                osGb,
                osType,
                osRate,
                dataVolumes,
                round(dataRate, 4),
                "image",
                image,
                sshKey,
                rules,
                string(b, "script_id", false) != null,
                publicIp,
                sim.now());
        inst.keys.addAll(keys);
        publishRulePorts(inst, rules);
        sim.takeInstanceFault(inst);
        if (inst.fault == null && sim.config().getBool("barrack.require-ssh-rule", false) && !allowsSsh(rules)) {
            inst.fault = "ssh_never_open";
        }
        sim.catalog.take(stockKey);
        inst.holdsCapacity = true;
        sim.register(inst);
        sim.lifecycle.later(inst, sim.timing("create", Duration.ofSeconds(3)), () -> {
            inst.state = "BUILD";
            if (!"stuck".equals(inst.fault)) {
                sim.lifecycle.later(
                        inst, sim.timing("build", Duration.ofSeconds(30)), () -> sim.lifecycle.becomeActive(inst));
            }
        });
        sim.ok(ctx, 201, "VM deployed successfully", BarrackViews.view(inst), null, model.tier());
    }

    private String resolveKey(String sshKey) {
        String mode = sim.config().get("barrack.ssh-key-mode", "name");
        boolean looksLikeKey = BarrackKeyRoutes.KEY_LINE.matcher(sshKey).find();
        if (mode.equals("text") || mode.equals("either") && looksLikeKey) {
            if (!looksLikeKey) {
                throw new BadRequest("ssh_key must be an OpenSSH public key");
            }
            BarrackKeyRoutes.parsePublicKey(sshKey);
            return sshKey;
        }
        BarrackApi.SshKey k = sim.sshKeys.get(sshKey);
        if (k == null) {
            throw new BadRequest(404, "not_found", "SSH key '" + sshKey + "' not found");
        }
        return k.publicKey();
    }

    private static boolean allowsSsh(List<Object> rules) {
        for (Object o : rules) {
            JsonObject r = o instanceof JsonObject j ? j : o instanceof Map<?, ?> m ? new JsonObject(castMap(m)) : null;
            if (r != null
                    && "ingress".equals(r.getString("direction"))
                    && "tcp".equalsIgnoreCase(r.getString("protocol"))
                    && r.getInteger("port_range_min", 0) <= 22
                    && r.getInteger("port_range_max", 0) >= 22) {
                return true;
            }
        }
        return false;
    }

    /** Ingress TCP ports other than 22 get their loopback port now, so {@code sim_port_map} shows them from the first GET. */
    private void publishRulePorts(BarrackInstance inst, List<Object> rules) {
        for (Object o : rules) {
            JsonObject r = o instanceof JsonObject j ? j : o instanceof Map<?, ?> m ? new JsonObject(castMap(m)) : null;
            if (r == null || !"ingress".equals(r.getString("direction"))) {
                continue;
            }
            String protocol = r.getString("protocol", "tcp");
            if (!protocol.equalsIgnoreCase("tcp") && !protocol.equalsIgnoreCase("any")) {
                continue;
            }
            Integer min = r.getValue("port_range_min") instanceof Number n ? n.intValue() : null;
            Integer max = r.getValue("port_range_max") instanceof Number n ? n.intValue() : min;
            if (min == null || max == null || max < min || max - min >= 32) {
                continue;
            }
            for (int p = Math.max(1, min); p <= Math.min(65535, max); p++) {
                if (p != 22) {
                    sim.apps(inst).publish(p);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private String randomLower(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + sim.random().nextInt(26)));
        }
        return sb.toString();
    }
}
