package io.gpubroker.provider.adapter.vastai;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.BilledCosts;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Vast.ai ({@code /api/v0}, list on {@code /api/v1/instances/}): single-use asks, keys attached with
 * {@code POST /instances/{id}/ssh/} after create (the create field is unreliable), the label as
 * ownership tag, 400 {@code no_such_ask} = stale inventory, {@code {"instances": null}} = gone.
 */
public final class VastAiAdapter implements ProviderAdapter {
    private final ProviderSettings settings;
    private final ProviderHttp http;
    private final String listUrl;

    public VastAiAdapter(ProviderSettings s) {
        this.settings = s;
        this.http = new ProviderHttp(
                s.baseUrl(),
                Map.of("Authorization", "Bearer " + s.apiKey()),
                s.duration("http-timeout", java.time.Duration.ofSeconds(20)));
        this.listUrl = s.option("list-url", s.baseUrl().replaceFirst("/api/v0$", "") + "/api/v1/instances/");
    }

    @Override
    public String name() {
        return "vastai";
    }

    static ErrorClass refine(Response r) {
        JsonNode j = r.json();
        String err = ProviderHttp.text(j, "error");
        String msg = String.valueOf(ProviderHttp.text(j, "msg"));
        if (msg.contains("no_such_ask")) {
            return ErrorClass.STALE_INVENTORY;
        }
        if ("auth_error".equals(err)) {
            return ErrorClass.AUTH;
        }
        if (err != null && err.contains("credit")) {
            return ErrorClass.INSUFFICIENT_FUNDS;
        }
        if ("no_such_instance".equals(err)) {
            return ErrorClass.NOT_FOUND;
        }
        return null;
    }

    @Override
    public List<NormalisedOffer> fetchOffers(Instant fetchedAt) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("rentable", Map.of("eq", true));
        q.put("rented", Map.of("eq", false));
        q.put("type", "on-demand");
        q.put("limit", settings.intOption("offer-limit", 100_000));
        Response r =
                ProviderHttp.require("vastai offers", http.put("/search/asks/", Map.of("q", q)), VastAiAdapter::refine);
        JsonNode offers = r.json().get("offers");
        if (offers == null || !offers.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "vastai offers: no 'offers' array in answer");
        }
        List<NormalisedOffer> out = new ArrayList<>(offers.size());
        for (JsonNode o : offers) {
            String ask = ProviderHttp.text(o, "id");
            int vram = GpuNames.gbFromMib(o.path("gpu_ram").asDouble());
            String geo = ProviderHttp.text(o, "geolocation");
            String country = geo != null && geo.contains(",")
                    ? geo.substring(geo.lastIndexOf(',') + 1).trim()
                    : null;
            Double duration = ProviderHttp.decimal(o, "duration");
            Integer cpuRam = ProviderHttp.integer(o, "cpu_ram");
            out.add(new NormalisedOffer(
                    "vastai-" + ask,
                    "vastai",
                    ask,
                    GpuNames.normalise(ProviderHttp.text(o, "gpu_name"), vram),
                    o.path("num_gpus").asInt(1),
                    vram,
                    Offers.usd(o.path("dph_total").asDouble()),
                    "USD",
                    geo,
                    country,
                    ProviderHttp.decimal(o, "reliability2"),
                    o.path("rentable").asBoolean(true),
                    1,
                    ProviderHttp.decimal(o, "cuda_max_good"),
                    duration == null ? null : (int) (duration / 3600),
                    ProviderHttp.text(o, "machine_id"),
                    ProviderHttp.integer(o, "cpu_cores_effective"),
                    cpuRam == null ? null : Math.round(cpuRam / 1024f),
                    ProviderHttp.integer(o, "disk_space"),
                    fetchedAt,
                    Offers.provisioning("ask_id", ask, "machine_id", ProviderHttp.text(o, "machine_id"))));
        }
        return out;
    }

    @Override
    public String create(ProvisionSpec spec) {
        String ask = spec.required("ask_id");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("client_id", "me");
        body.put("label", spec.tag());
        body.put("disk", spec.diskGb() == null ? settings.intOption("default-disk-gb", 50) : spec.diskGb());
        if (spec.templateHashId() != null && !spec.templateHashId().isBlank()) {
            body.put("template_hash_id", spec.templateHashId());
        } else {
            String image = spec.dockerImage() != null && !spec.dockerImage().isBlank()
                    ? spec.dockerImage()
                    : spec.image() != null && !spec.image().isBlank()
                            ? spec.image()
                            : settings.option("default-image", "vastai/base-image:cuda-12.4.1-auto");
            body.put("image", image);
            // SSH access is always enabled: the broker verifies and the user logs in over SSH
            body.put("runtype", settings.option("runtype", "ssh"));
        }
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        for (Integer p : spec.exposedPorts()) {
            env.put("-p " + p + ":" + p, "1");
        }
        if (!env.isEmpty()) {
            body.put("env", env);
        }
        if (spec.startCommand() != null && !spec.startCommand().isBlank()) {
            // the ssh runtype replaces the image's entrypoint: onstart is what starts the app
            body.put("onstart", spec.startCommand());
        }
        Response r =
                ProviderHttp.require("vastai create", http.put("/asks/" + enc(ask) + "/", body), VastAiAdapter::refine);
        JsonNode j = r.json();
        if (!j.path("success").asBoolean(false) || j.get("new_contract") == null) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "vastai create: no new_contract in " + r.snippet());
        }
        return j.get("new_contract").asText();
    }

    @Override
    public void afterCreate(String instanceId, ProvisionSpec spec) {
        for (String key : spec.sshPublicKeys()) {
            ProviderHttp.require(
                    "vastai attach key",
                    http.post("/instances/" + enc(instanceId) + "/ssh/", Map.of("ssh_key", key.trim())),
                    VastAiAdapter::refine);
        }
    }

    @Override
    public InstanceView describe(String instanceId, List<String> keys) {
        Response r = http.get("/instances/" + enc(instanceId) + "/");
        if (r.status() == 404) {
            return InstanceView.gone(instanceId);
        }
        ProviderHttp.require("vastai get", r, VastAiAdapter::refine);
        JsonNode inst = r.json().get("instances");
        if (inst == null || inst.isNull() || inst.isMissingNode()) {
            return InstanceView.gone(instanceId);
        }
        return view(inst);
    }

    private InstanceView view(JsonNode i) {
        String actual = ProviderHttp.text(i, "actual_status");
        String intended = ProviderHttp.text(i, "intended_status");
        String host = ProviderHttp.text(i, "ssh_host");
        Integer port = ProviderHttp.integer(i, "ssh_port");
        if (settings.boolOption("direct-ssh", false) && i.path("ports").has("22/tcp")) {
            host = ProviderHttp.text(i, "public_ipaddr");
            port = ProviderHttp.integer(i.path("ports").path("22/tcp").path(0), "HostPort");
        }
        BrokerState state = map(actual, intended, port);
        Double start = ProviderHttp.decimal(i, "start_date");
        String native_ = actual == null ? "scheduling" : actual;
        return new InstanceView(
                ProviderHttp.text(i, "id"),
                ProviderHttp.text(i, "label"),
                native_,
                state,
                state == BrokerState.RUNNING ? host : null,
                state == BrokerState.RUNNING ? port : null,
                state == BrokerState.RUNNING ? "root" : null,
                state == BrokerState.RUNNING ? apiEndpoint(i) : null,
                start == null ? null : Instant.ofEpochMilli((long) (start * 1000)));
    }

    /** {@code http://public_ipaddr:HostPort} of the lowest published container port other than SSH. */
    static String apiEndpoint(JsonNode i) {
        String ip = ProviderHttp.text(i, "public_ipaddr");
        JsonNode ports = i.path("ports");
        if (ip == null || !ports.isObject()) {
            return null;
        }
        int best = Integer.MAX_VALUE;
        Integer hostPort = null;
        for (var it = ports.fields(); it.hasNext(); ) {
            var e = it.next();
            String[] key = e.getKey().split("/");
            int container;
            try {
                container = Integer.parseInt(key[0]);
            } catch (NumberFormatException ex) {
                continue;
            }
            Integer hp = ProviderHttp.integer(e.getValue().path(0), "HostPort");
            if (container != 22 && (key.length == 1 || "tcp".equals(key[1])) && hp != null && container < best) {
                best = container;
                hostPort = hp;
            }
        }
        return hostPort == null ? null : "http://" + ip.trim() + ":" + hostPort;
    }

    static BrokerState map(String actual, String intended, Integer sshPort) {
        if (actual == null) {
            return BrokerState.PROVISIONING;
        }
        return switch (actual.toLowerCase(Locale.ROOT)) {
            case "running" ->
                "running".equals(intended) && sshPort != null
                        ? BrokerState.RUNNING
                        : "stopped".equals(intended) ? BrokerState.FAILED : BrokerState.PROVISIONING;
            case "created", "loading", "rebooting", "scheduling" -> BrokerState.PROVISIONING;
            case "exited", "stopped", "frozen", "offline", "unknown" -> BrokerState.FAILED;
            default -> BrokerState.PROVISIONING;
        };
    }

    @Override
    public void destroy(String instanceId) {
        Response r = http.delete("/instances/" + enc(instanceId) + "/");
        if (r.status() == 404 || ErrorClass.NOT_FOUND == refine(r)) {
            return;
        }
        ProviderHttp.require("vastai destroy", r, VastAiAdapter::refine);
    }

    @Override
    public List<InstanceView> listInstances() {
        List<InstanceView> out = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String url = listUrl + "?limit=25" + (token == null ? "" : "&after_token=" + enc(token));
            Response r = ProviderHttp.require("vastai list", http.get(url), VastAiAdapter::refine);
            JsonNode j = r.json();
            JsonNode items = j.get("instances");
            if (items == null || !items.isArray()) {
                throw ProviderException.of(
                        ErrorClass.TRANSIENT, "vastai list: page " + (pages + 1) + " has no instances array");
            }
            items.forEach(i -> out.add(view(i)));
            token = ProviderHttp.text(j, "next_token");
            if (++pages > 10_000) {
                throw ProviderException.of(ErrorClass.TRANSIENT, "vastai list: paging does not end");
            }
        } while (token != null && !token.isBlank());
        return out;
    }

    @Override
    public List<Map<String, Object>> templates() {
        String filters =
                settings.boolOption("templates-recommended-only", true) ? "{\"recommended\":{\"eq\":true}}" : "{}";
        Response r = ProviderHttp.require(
                "vastai templates", http.get("/template/?select_filters=" + enc(filters)), VastAiAdapter::refine);
        JsonNode t = r.json().get("templates");
        if (t == null || !t.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "vastai templates: no 'templates' array");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode n : t) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String f : List.of(
                    "id",
                    "hash_id",
                    "name",
                    "image",
                    "tag",
                    "env",
                    "onstart",
                    "runtype",
                    "use_ssh",
                    "ssh_direct",
                    "recommended",
                    "recommended_disk_space",
                    "extra_filters",
                    "creator_id")) {
                JsonNode v = n.get(f);
                m.put(f, v == null || v.isNull() ? null : ProviderHttp.mapper().convertValue(v, Object.class));
            }
            JsonNode created = n.get("created_at");
            m.put(
                    "created_at",
                    created != null && created.isNumber()
                            ? OffsetDateTime.ofInstant(
                                            Instant.ofEpochMilli((long) (created.asDouble() * 1000)), ZoneOffset.UTC)
                                    .toString()
                            : created == null ? null : created.asText());
            m.put(
                    "count_created",
                    n.has("count_created") ? n.get("count_created").asInt() : null);
            out.add(m);
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public BillingApi billingApi() {
        return BillingApi.ACCOUNT;
    }

    /** {@code GET /invoices/}: one charge row per instance ({@code instance_id}, {@code amount}). */
    @Override
    public BilledCosts billedCosts(Collection<String> instanceIds) {
        Response r = ProviderHttp.require(
                "vastai invoices", http.get(settings.option("path.invoices", "/invoices/")), BilledAmounts::refine);
        JsonNode body = r.exactJson();
        JsonNode invoices = body.get("invoices");
        if (invoices == null || !invoices.isArray()) {
            throw BilledAmounts.badAnswer("vastai", body, "no invoices");
        }
        List<BilledAmounts.Row> rows = new ArrayList<>();
        for (JsonNode row : invoices) {
            if (row.hasNonNull("instance_id")) {
                rows.add(new BilledAmounts.Row(row.get("instance_id").asText(), row.path("amount")));
            }
        }
        return BilledAmounts.sum("vastai", rows, instanceIds);
    }
}
