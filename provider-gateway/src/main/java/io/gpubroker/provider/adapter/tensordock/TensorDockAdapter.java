package io.gpubroker.provider.adapter.tensordock;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.NormalisedOffer;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TensorDock v2: offers from {@code /locations} (location x GPU model, one offer per GPU count),
 * create with a JSON:API body, errors that arrive inside HTTP 200 ({@code {"status":400,"error":...}}),
 * keys installed through cloud-init {@code runcmd} (the {@code ssh_key} attribute alone is unreliable),
 * and the real SSH port read from {@code portForwards} (or 22 on a dedicated IP without forwards).
 */
public final class TensorDockAdapter implements ProviderAdapter {
    private static final int[] COUNTS = {1, 2, 4, 8};

    private final ProviderSettings settings;
    private final ProviderHttp http;

    public TensorDockAdapter(ProviderSettings s) {
        this.settings = s;
        this.http = new ProviderHttp(
                s.baseUrl(),
                Map.of("Authorization", "Bearer " + s.apiKey()),
                s.duration("http-timeout", java.time.Duration.ofSeconds(30)));
    }

    @Override
    public String name() {
        return "tensordock";
    }

    /** The HTTP-200-with-an-error envelope, or null for a real success. */
    static ProviderException error200(String what, Response r) {
        JsonNode j = r.json();
        if (r.ok() && j.has("error") && (j.path("status").asInt(200) >= 400 || !j.has("data"))) {
            String msg = ProviderHttp.text(j, "error");
            ErrorClass c = classifyMessage(msg);
            return new ProviderException(
                    c == null ? ErrorClass.INVALID : c,
                    what + ": " + msg,
                    j.path("status").asInt(200),
                    null,
                    false,
                    null);
        }
        return null;
    }

    static ErrorClass classifyMessage(String msg) {
        String m = msg == null ? "" : msg.toLowerCase(Locale.ROOT);
        if (m.contains("no available nodes")) {
            return ErrorClass.STALE_INVENTORY;
        }
        if (m.contains("no available") || m.contains("capacity")) {
            return ErrorClass.NO_CAPACITY;
        }
        if (m.contains("balance") || m.contains("insufficient")) {
            return ErrorClass.INSUFFICIENT_FUNDS;
        }
        if (m.contains("unauthorized")) {
            return ErrorClass.AUTH;
        }
        return null;
    }

    static ErrorClass refine(Response r) {
        if (r.status() == 402) {
            return ErrorClass.INSUFFICIENT_FUNDS;
        }
        return r.status() >= 400 && r.status() < 500 && r.status() != 429 && r.status() != 404
                ? classifyMessage(ProviderHttp.text(r.json(), "error"))
                : null;
    }

    private Response checked(String what, Response r) {
        ProviderException e = error200(what, r);
        if (e != null) {
            throw e;
        }
        return ProviderHttp.require(what, r, TensorDockAdapter::refine);
    }

    @Override
    public List<NormalisedOffer> fetchOffers(Instant fetchedAt) {
        Response r = checked("tensordock locations", http.get("/locations"));
        JsonNode locations = r.json().path("data").path("locations");
        if (!locations.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "tensordock locations: no data.locations array");
        }
        int vcpuPerGpu = settings.intOption("vcpus-per-gpu", 4);
        int ramPerGpu = settings.intOption("ram-gb-per-gpu", 16);
        int storage = settings.intOption("storage-gb", 100);
        List<NormalisedOffer> out = new ArrayList<>();
        for (JsonNode loc : locations) {
            String locId = ProviderHttp.text(loc, "id");
            String city = ProviderHttp.text(loc, "city");
            String country = ProviderHttp.text(loc, "country");
            String location = city == null ? country : city + ", " + country;
            for (JsonNode g : loc.path("gpus")) {
                String v0 = ProviderHttp.text(g, "v0Name");
                int max = g.path("max_count").asInt();
                String display = ProviderHttp.text(g, "displayName");
                int vram = GpuNames.gbInName(v0 + " " + display);
                String gpu = GpuNames.normalise(display != null ? display : v0, vram);
                double perGpu = g.path("price_per_hr").asDouble();
                JsonNode pricing = g.path("pricing");
                JsonNode res = g.path("resources");
                for (int n : COUNTS) {
                    if (n > max) {
                        break;
                    }
                    int vcpu = Offers.even(Math.min(
                            Math.max(2, vcpuPerGpu * n), res.path("max_vcpus").asInt(Integer.MAX_VALUE)));
                    int ram = Offers.even(
                            Math.min(ramPerGpu * n, res.path("max_ram_gb").asInt(Integer.MAX_VALUE)));
                    int disk = Math.min(storage, res.path("max_storage_gb").asInt(Integer.MAX_VALUE));
                    double price = perGpu * n
                            + vcpu * pricing.path("per_vcpu_hr").asDouble()
                            + ram * pricing.path("per_gb_ram_hr").asDouble()
                            + disk * pricing.path("per_gb_storage_hr").asDouble();
                    String nativeId = locId + "-" + v0 + "-" + n + "x";
                    out.add(new NormalisedOffer(
                            "tensordock-" + nativeId,
                            "tensordock",
                            nativeId,
                            gpu,
                            n,
                            vram,
                            Offers.usd(price),
                            "USD",
                            location,
                            country,
                            null,
                            true,
                            max / n,
                            null,
                            null,
                            null,
                            vcpu,
                            ram,
                            disk,
                            fetchedAt,
                            Offers.provisioning(
                                    "location_id",
                                    locId,
                                    "gpu",
                                    v0,
                                    "gpu_count",
                                    n,
                                    "vcpu",
                                    vcpu,
                                    "ram_gb",
                                    ram,
                                    "storage_gb",
                                    disk,
                                    "dedicated_ip",
                                    g.path("network_features")
                                                    .path("dedicated_ip_available")
                                                    .asBoolean(false)
                                            && settings.boolOption("use-dedicated-ip", false))));
                }
            }
        }
        return out;
    }

    @Override
    public String create(ProvisionSpec spec) {
        boolean dedicated = Boolean.parseBoolean(spec.provisioning().getOrDefault("dedicated_ip", "false"));
        String user = settings.option("ssh-user", "user");
        List<Object> forwards = new ArrayList<>();
        if (!dedicated) {
            forwards.add(Map.of("internal_port", 22, "external_port", 22));
            for (Integer p : spec.exposedPorts()) {
                forwards.add(Map.of("internal_port", p, "external_port", p));
            }
        }
        // the ssh_key attribute alone has failed to install keys (BUG-002): cloud-init runcmd is the reliable path
        List<String> runcmd = new ArrayList<>();
        runcmd.add("mkdir -p /home/" + user + "/.ssh /root/.ssh");
        for (String k : spec.sshPublicKeys()) {
            String line = k.trim().replace("'", "");
            runcmd.add("echo '" + line + "' >> /home/" + user + "/.ssh/authorized_keys");
            runcmd.add("echo '" + line + "' >> /root/.ssh/authorized_keys");
        }
        runcmd.add("chown -R " + user + ":" + user + " /home/" + user + "/.ssh && chmod 600 /home/" + user
                + "/.ssh/authorized_keys");
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("vcpu_count", spec.requiredInt("vcpu"));
        resources.put("ram_gb", spec.requiredInt("ram_gb"));
        resources.put(
                "storage_gb",
                spec.diskGb() != null
                        ? Math.max(spec.diskGb(), spec.requiredInt("storage_gb"))
                        : spec.requiredInt("storage_gb"));
        resources.put("gpus", Map.of(spec.required("gpu"), Map.of("count", spec.requiredInt("gpu_count"))));
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("name", spec.tag());
        attrs.put("type", "virtualmachine");
        attrs.put(
                "image",
                spec.image() != null && !spec.image().isBlank()
                        ? spec.image()
                        : settings.option("image", "ubuntu2404"));
        attrs.put("location_id", spec.required("location_id"));
        attrs.put("resources", resources);
        attrs.put("useDedicatedIp", dedicated);
        attrs.put("port_forwards", forwards);
        attrs.put("ssh_key", spec.sshPublicKeys().get(0).trim());
        attrs.put("cloud_init", Map.of("runcmd", runcmd));
        Response r = checked(
                "tensordock create",
                http.post("/instances", Map.of("data", Map.of("type", "virtualmachine", "attributes", attrs))));
        String id = ProviderHttp.text(r.json().path("data"), "id");
        if (id == null) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "tensordock create: no data.id in " + r.snippet());
        }
        return id;
    }

    @Override
    public InstanceView describe(String instanceId, List<String> keys) {
        Response r = http.get("/instances/" + enc(instanceId));
        if (r.status() == 404) {
            return InstanceView.gone(instanceId);
        }
        r = checked("tensordock get", r);
        JsonNode j = r.json();
        JsonNode flat = j.has("data") && j.path("data").has("attributes") ? attributes(j.path("data")) : j;
        return view(flat);
    }

    /** {@code {"id", "attributes": {...}}} flattened to the documented flat shape. */
    private static JsonNode attributes(JsonNode data) {
        var m = ProviderHttp.mapper().createObjectNode();
        m.setAll((com.fasterxml.jackson.databind.node.ObjectNode) data.path("attributes"));
        m.set("id", data.get("id"));
        return m;
    }

    private InstanceView view(JsonNode i) {
        String status = ProviderHttp.text(i, "status");
        String ip = ProviderHttp.text(i, "ipAddress");
        Integer port = null;
        int appInternal = Integer.MAX_VALUE;
        Integer appExternal = null;
        for (JsonNode f : i.path("portForwards")) {
            int internal = f.path("internal_port").asInt();
            if (internal == 22) {
                port = f.path("external_port").asInt();
            } else if (internal > 0
                    && internal < appInternal
                    && f.path("external_port").asInt() > 0) {
                // TensorDock may assign another external port than asked: the reported one is the truth
                appInternal = internal;
                appExternal = f.path("external_port").asInt();
            }
        }
        boolean dedicated = i.path("useDedicatedIp").asBoolean(false);
        if (port == null && dedicated && ip != null) {
            port = 22;
        }
        BrokerState state = map(status, ip, port);
        Instant created = null;
        String c = ProviderHttp.text(i, "created_at");
        if (c != null) {
            try {
                created = Instant.parse(c);
            } catch (RuntimeException ignored) {
                // creation time is informative only
            }
        }
        boolean up = state == BrokerState.RUNNING;
        return new InstanceView(
                ProviderHttp.text(i, "id"),
                ProviderHttp.text(i, "name"),
                status,
                state,
                up ? ip : null,
                up ? port : null,
                up ? settings.option("ssh-user", "user") : null,
                up && appExternal != null ? "http://" + ip + ":" + appExternal : null,
                created);
    }

    static BrokerState map(String status, String ip, Integer port) {
        String s = status == null ? "" : status.toLowerCase(Locale.ROOT);
        return switch (s) {
            case "running" -> ip != null && port != null ? BrokerState.RUNNING : BrokerState.PROVISIONING;
            case "creating", "provisioning", "pending", "starting", "" -> BrokerState.PROVISIONING;
            case "deleted" -> BrokerState.GONE;
            default -> BrokerState.FAILED;
        };
    }

    @Override
    public void destroy(String instanceId) {
        Response r = http.delete("/instances/" + enc(instanceId));
        if (r.status() == 404) {
            return;
        }
        checked("tensordock destroy", r);
    }

    @Override
    public List<InstanceView> listInstances() {
        Response r = checked("tensordock list", http.get("/instances"));
        JsonNode data = r.json().path("data");
        JsonNode items = data.isArray() ? data : data.path("instances");
        if (!items.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "tensordock list: unrecognised envelope " + r.snippet());
        }
        List<InstanceView> out = new ArrayList<>();
        for (JsonNode i : items) {
            out.add(view(i.has("attributes") ? attributes(i) : i));
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
