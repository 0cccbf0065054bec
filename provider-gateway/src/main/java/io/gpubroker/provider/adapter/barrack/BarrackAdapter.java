package io.gpubroker.provider.adapter.barrack;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.provider.adapter.BilledAmounts;
import io.gpubroker.provider.adapter.BillingApi;
import io.gpubroker.provider.adapter.BrokerState;
import io.gpubroker.provider.adapter.ErrorClass;
import io.gpubroker.provider.adapter.GpuNames;
import io.gpubroker.provider.adapter.InstanceView;
import io.gpubroker.provider.adapter.Offers;
import io.gpubroker.provider.adapter.ProviderAdapter;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.adapter.ProviderHttp;
import io.gpubroker.provider.adapter.ProviderHttp.Response;
import io.gpubroker.provider.adapter.ProviderSettings;
import io.gpubroker.provider.adapter.ProvisionSpec;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Barrack (Hyperstack-based): {@code X-API-Key} auth; offers = region x model x GPU count with stock
 * from {@code /gpu-stocks/}, prices per GPU and tier from {@code /pricing/}; keys are registered once
 * under a name derived from the key ({@code ssh_key} takes a NAME) and extra keys ride in cloud-init;
 * the public IP attaches asynchronously ({@code ip_status}), so "running" waits for it. GUESSED paths
 * are configurable ({@code broker.providers.barrack.path.<key>}).
 */
public final class BarrackAdapter implements ProviderAdapter {
    private final ProviderSettings settings;
    private final ProviderHttp http;
    private final Set<String> registeredKeys = ConcurrentHashMap.newKeySet();

    public BarrackAdapter(ProviderSettings s) {
        this.settings = s;
        this.http = new ProviderHttp(
                s.baseUrl(),
                Map.of("X-API-Key", s.apiKey()),
                s.duration("http-timeout", java.time.Duration.ofSeconds(30)));
    }

    @Override
    public String name() {
        return "barrack";
    }

    private String path(String key, String def, String id) {
        String p = settings.option("path." + key, def);
        return id == null ? p : p.replace("{id}", URLEncoder.encode(id, StandardCharsets.UTF_8));
    }

    static ErrorClass refine(Response r) {
        String code = String.valueOf(ProviderHttp.text(r.json(), "error"));
        return switch (code) {
            case "insufficient_capacity" -> ErrorClass.STALE_INVENTORY;
            case "insufficient_balance" -> ErrorClass.INSUFFICIENT_FUNDS;
            case "resource_limit_exceeded" -> ErrorClass.NO_CAPACITY;
            case "permission_denied", "not_authenticated", "authentication_failed" -> ErrorClass.AUTH;
            case "throttled" -> ErrorClass.RATE_LIMITED;
            default -> null;
        };
    }

    private Response checked(String what, Response r) {
        // a 200 carrying {"success": false} is a failure too
        if (r.ok() && r.json().has("success") && !r.json().path("success").asBoolean(true)) {
            ErrorClass c = refine(r);
            throw new ProviderException(
                    c == null ? ErrorClass.TRANSIENT : c, what + ": " + r.snippet(), r.status(), null, false, null);
        }
        return ProviderHttp.require(what, r, BarrackAdapter::refine);
    }

    @Override
    public List<NormalisedOffer> fetchOffers(Instant fetchedAt) {
        JsonNode stocks = checked("barrack stocks", http.get(path("stocks", "/gpu-stocks/", null)))
                .json()
                .path("data")
                .path("stocks");
        JsonNode pricing = checked("barrack pricing", http.get(path("pricing", "/pricing/", null) + "?currency=USD"))
                .json()
                .path("pricing_data");
        JsonNode specs = checked("barrack gpu specs", http.get(path("gpu-specs", "/gpu-specs/", null)))
                .json()
                .path("data")
                .path("gpu_specs");
        JsonNode regions = checked("barrack regions", http.get(path("regions", "/regions/", null)))
                .json()
                .path("data")
                .path("regions");
        if (!stocks.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "barrack stocks: no data.stocks array");
        }
        Map<String, JsonNode> specByModel = new HashMap<>();
        specs.forEach(s -> specByModel.put(s.path("model").asText(), s));
        Map<String, JsonNode> regionByName = new HashMap<>();
        regions.forEach(r -> regionByName.put(r.path("name").asText(), r));
        int osGb = settings.intOption("os-volume-gb", 100);
        List<NormalisedOffer> out = new ArrayList<>();
        for (JsonNode region : stocks) {
            String regionName = region.path("region").asText();
            JsonNode regionInfo = regionByName.get(regionName);
            String tier = regionInfo == null ? null : regionInfo.path("tier").asText(null);
            for (JsonNode model : region.path("models")) {
                String modelName = model.path("model").asText();
                JsonNode spec = specByModel.get(modelName);
                String modelTier = tier != null
                        ? tier
                        : spec == null ? "legacy" : spec.path("tier").asText("legacy");
                JsonNode perGpu = pricing.path("gpus")
                        .path("pricing")
                        .path(modelTier)
                        .path(modelName)
                        .path("prices")
                        .path("USD");
                if (!perGpu.isNumber()) {
                    continue; // no price: not an offer the broker can quote
                }
                double volumePerTb = pricing.path("volumes")
                        .path("pricing")
                        .path(modelTier)
                        .path(modelTier.equals("legacy") ? "SSD" : "NVMe")
                        .path("prices")
                        .path("USD")
                        .asDouble(0);
                int vram = spec == null
                        ? GpuNames.gbInName(modelName)
                        : GpuNames.nearestMarketed(spec.path("vram_gb").asDouble());
                var configs = model.path("configurations").fields();
                while (configs.hasNext()) {
                    var e = configs.next();
                    int count = Integer.parseInt(e.getKey().replace("x", ""));
                    int available = e.getValue().asInt();
                    if (available <= 0) {
                        continue;
                    }
                    Integer vcpus = null;
                    Integer ram = null;
                    if (spec != null) {
                        for (JsonNode fl : spec.path("flavors")) {
                            if (fl.path("gpu_count").asInt() == count) {
                                vcpus = fl.path("vcpus").asInt();
                                ram = fl.path("ram_gb").asInt();
                            }
                        }
                    }
                    double price = perGpu.asDouble() * count + osGb / 1024.0 * volumePerTb;
                    String nativeId = regionName + "-" + modelName + "-" + count + "x";
                    out.add(new NormalisedOffer(
                            "barrack-" + nativeId,
                            "barrack",
                            nativeId,
                            GpuNames.normalise(modelName, vram),
                            count,
                            vram,
                            Offers.usd(price),
                            "USD",
                            regionInfo == null
                                    ? regionName
                                    : regionName + " ("
                                            + regionInfo.path("location").asText() + ")",
                            regionInfo == null
                                    ? null
                                    : regionInfo.path("country").asText(null),
                            null,
                            true,
                            available,
                            spec == null
                                    ? null
                                    : Offers.cuda(spec.path("cuda_version").asText(null)),
                            null,
                            null,
                            vcpus,
                            ram,
                            osGb,
                            fetchedAt,
                            Offers.provisioning(
                                    "region",
                                    regionName,
                                    "gpu_model",
                                    modelName,
                                    "gpu_count",
                                    count,
                                    "tier",
                                    modelTier)));
                }
            }
        }
        return out;
    }

    /** Barrack wants a registered key NAME: one per distinct key, named after its digest so re-runs reuse it. */
    String ensureKey(String publicKey) {
        String name = "gpub-" + digest(publicKey.trim()).substring(0, 20);
        if (registeredKeys.contains(name)) {
            return name;
        }
        Response r = http.get(path("ssh-key", "/ssh-keys/{id}/", name));
        if (r.status() == 404) {
            Response c = http.post(
                    path("ssh-keys", "/ssh-keys/", null), Map.of("name", name, "public_key", publicKey.trim()));
            // a concurrent registration of the same key is fine: the name is derived from the key
            if (!(c.status() == 400 && c.snippet().contains("already exists"))) {
                checked("barrack register key", c);
            }
        } else {
            checked("barrack get key", r);
        }
        registeredKeys.add(name);
        return name;
    }

    static String digest(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String create(ProvisionSpec spec) {
        String keyName = ensureKey(spec.sshPublicKeys().get(0));
        StringBuilder cloudInit = new StringBuilder("#cloud-config\nssh_authorized_keys:\n");
        spec.sshPublicKeys()
                .forEach(k -> cloudInit.append("  - ").append(k.trim()).append('\n'));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance_name", spec.tag());
        body.put("region", spec.required("region"));
        body.put("gpu_model", spec.required("gpu_model"));
        body.put("gpu_count", spec.requiredInt("gpu_count"));
        body.put(
                "image_name",
                spec.image() != null && !spec.image().isBlank()
                        ? spec.image()
                        : settings.option("image", "Ubuntu Server 24.04 LTS"));
        body.put("ssh_key", keyName);
        body.put("cloud_init", cloudInit.toString());
        body.put("public_ip", true);
        List<Map<String, Object>> rules = new ArrayList<>();
        rules.add(rule(22));
        spec.exposedPorts().forEach(p -> rules.add(rule(p)));
        body.put("security_rules", rules);
        if (spec.diskGb() != null) {
            body.put("os_volume", Map.of("size", Math.max(100, spec.diskGb())));
        }
        Response r = checked("barrack deploy", http.post(path("deploy", "/deploy-server/", null), body));
        String id = ProviderHttp.text(r.json().path("data"), "instance_id");
        if (id == null) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "barrack deploy: no data.instance_id in " + r.snippet());
        }
        return id;
    }

    private static Map<String, Object> rule(int port) {
        return Map.of(
                "direction",
                "ingress",
                "protocol",
                "tcp",
                "ethertype",
                "IPv4",
                "port_range_min",
                port,
                "port_range_max",
                port,
                "remote_ip_prefix",
                "0.0.0.0/0");
    }

    @Override
    public InstanceView describe(String instanceId, List<String> keys) {
        Response r = http.get(path("get", "/instances/{id}/", instanceId));
        if (r.status() == 404) {
            return InstanceView.gone(instanceId);
        }
        return view(checked("barrack get", r).json().path("data"));
    }

    private InstanceView view(JsonNode i) {
        String status = ProviderHttp.text(i, "status");
        String ip = ProviderHttp.text(i, "ip_address");
        String ipStatus = ProviderHttp.text(i, "ip_status");
        Integer port = ProviderHttp.integer(i, settings.option("ssh-port-field", "ssh_port"));
        if (port == null && ip != null) {
            port = 22;
        }
        boolean attached = ip != null
                && settings.option("ip-status-attached", "attached").equalsIgnoreCase(String.valueOf(ipStatus));
        BrokerState state = map(status, attached);
        boolean up = state == BrokerState.RUNNING;
        Instant created = null;
        try {
            created = ProviderHttp.text(i, "created_at") == null
                    ? null
                    : Instant.parse(ProviderHttp.text(i, "created_at"));
        } catch (RuntimeException ignored) {
            // informative only
        }
        return new InstanceView(
                ProviderHttp.text(i, "instance_id"),
                ProviderHttp.text(i, "vm_name"),
                status + (ipStatus == null ? "" : "/ip:" + ipStatus),
                state,
                up ? ip : null,
                up ? port : null,
                up ? settings.option("ssh-user", "ubuntu") : null,
                up ? apiEndpoint(i, ip) : null,
                created);
    }

    /**
     * A public IP exposes every port its security rules open, so the app is {@code ip:port}. A port
     * map field (configurable; the simulator's {@code sim_port_map}, absent on the real API) wins when
     * present, as the simulator cannot give each VM its own port 8000 on loopback.
     */
    private String apiEndpoint(JsonNode i, String ip) {
        if (ip == null) {
            return null;
        }
        JsonNode map = i.path(settings.option("port-map-field", "sim_port_map"));
        Integer best = null;
        Integer external = null;
        if (map.isObject()) {
            for (var it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                int internal = parsePort(e.getKey());
                if (internal > 0
                        && internal != 22
                        && (best == null || internal < best)
                        && e.getValue().asInt() > 0) {
                    best = internal;
                    external = e.getValue().asInt();
                }
            }
            return external == null ? null : "http://" + ip + ":" + external;
        }
        for (JsonNode r : i.path("security_rules")) {
            int p = r.path("port_range_min").asInt();
            if ("ingress".equalsIgnoreCase(r.path("direction").asText("ingress"))
                    && p > 0
                    && p != 22
                    && (best == null || p < best)) {
                best = p;
            }
        }
        return best == null ? null : "http://" + ip + ":" + best;
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static BrokerState map(String status, boolean ipAttached) {
        String s = status == null ? "" : status.toUpperCase(Locale.ROOT);
        return switch (s) {
            case "ACTIVE" -> ipAttached ? BrokerState.RUNNING : BrokerState.PROVISIONING;
            case "CREATING", "BUILD", "STARTING", "REBOOTING", "RESTORING", "" -> BrokerState.PROVISIONING;
            case "DELETED" -> BrokerState.GONE;
            default -> BrokerState.FAILED;
        };
    }

    @Override
    public void destroy(String instanceId) {
        Response r = http.delete(path("delete", "/instances/{id}/", instanceId));
        if (r.status() == 404) {
            return;
        }
        checked("barrack delete", r);
    }

    @Override
    public List<InstanceView> listInstances() {
        List<InstanceView> out = new ArrayList<>();
        int page = 1;
        int pages;
        do {
            Response r = checked(
                    "barrack list", http.get(path("list", "/instances/", null) + "?page=" + page + "&page_size=100"));
            JsonNode items = r.json().path("data").path("instances");
            if (!items.isArray()) {
                throw ProviderException.of(
                        ErrorClass.TRANSIENT, "barrack list: page " + page + " has no data.instances");
            }
            items.forEach(i -> out.add(view(i)));
            pages = r.json().path("pagination").path("total_pages").asInt(1);
            page++;
        } while (page <= pages && page < 10_000);
        return out;
    }

    @Override
    public BillingApi billingApi() {
        return BillingApi.PER_INSTANCE;
    }

    /** {@code GET /instances/{id}/billing/}: what one instance cost, also after delete; 404 when unknown. */
    @Override
    public BigDecimal billedCost(String instanceId) {
        Response r = ProviderHttp.require(
                "barrack billing of " + instanceId,
                http.get(path("billing", "/instances/{id}/billing/", instanceId)),
                BilledAmounts::refine);
        JsonNode body = r.exactJson();
        if (!body.path("success").asBoolean(true) || !body.path("data").isObject()) {
            throw BilledAmounts.badAnswer("barrack", body, "no data");
        }
        BigDecimal cost = cost(body.get("data"));
        if (cost == null) {
            throw BilledAmounts.badAnswer("barrack", null, "no readable cost");
        }
        return cost;
    }

    /**
     * The itemised billing records (each a stretch at one rate) are what the provider charges;
     * {@code total_cost} is the fallback when a response carries no records. Null when the answer
     * carries no readable cost (a record without one makes the whole answer unreadable).
     */
    static BigDecimal cost(JsonNode data) {
        JsonNode records = data.path("billing_records");
        if (records.isArray() && !records.isEmpty()) {
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode rec : records) {
                BigDecimal c = BilledAmounts.amount(rec.get("cost"));
                if (c == null) {
                    return null;
                }
                sum = sum.add(c);
            }
            return sum;
        }
        return BilledAmounts.amount(data.get("total_cost"));
    }
}
