package io.gpubroker.provider.adapter.rackrr;

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
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rackrr ({@code /v1}): an aggregator whose offers are identified by provider id + ref + GPU model;
 * vCPU and RAM must be even; shared VMs fail with 409 when full and {@code scheduled} ones wait
 * (provisioning, bounded by the saga's timeout). Response field names are GUESSED in the spec, so
 * every one is configurable ({@code broker.providers.rackrr.field.<name>}); one key per VM.
 */
public final class RackrrAdapter implements ProviderAdapter {
    private final ProviderSettings settings;
    private final ProviderHttp http;

    public RackrrAdapter(ProviderSettings s) {
        this.settings = s;
        this.http = new ProviderHttp(
                s.baseUrl(),
                Map.of("Authorization", "Bearer " + s.apiKey()),
                s.duration("http-timeout", java.time.Duration.ofSeconds(30)));
    }

    @Override
    public String name() {
        return "rackrr";
    }

    private String f(String canonical) {
        return settings.option("field." + canonical, canonical);
    }

    private String text(JsonNode n, String canonical) {
        return ProviderHttp.text(n, f(canonical));
    }

    static ErrorClass refine(Response r) {
        String m = String.valueOf(ProviderHttp.text(r.json(), "message")).toLowerCase(Locale.ROOT);
        if (r.status() == 409 || m.contains("no available resources") || m.contains("capacity")) {
            return ErrorClass.NO_CAPACITY;
        }
        if (m.contains("wallet") || m.contains("insufficient")) {
            return ErrorClass.INSUFFICIENT_FUNDS;
        }
        return null;
    }

    @Override
    public List<NormalisedOffer> fetchOffers(Instant fetchedAt) {
        Response r = ProviderHttp.require("rackrr offers", http.get("/vms/available"), RackrrAdapter::refine);
        JsonNode arr = r.json();
        if (!arr.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "rackrr offers: answer is not an array");
        }
        List<NormalisedOffer> out = new ArrayList<>(arr.size());
        for (JsonNode o : arr) {
            String ref = text(o, "provider_ref");
            Integer vram = ProviderHttp.integer(o, f("vram"));
            String slug = text(o, "gpu_model");
            String display = text(o, "gpu_name");
            int gb = vram != null ? GpuNames.nearestMarketed(vram) : GpuNames.gbInName(slug);
            JsonNode notes = o.get(f("notes"));
            String type = notes == null || notes.isNull()
                    ? "dedicated"
                    : notes.path("type").asText("dedicated");
            int vcpus = Offers.even(o.path(f("vcpus")).asInt(2));
            int ram = Offers.even(o.path(f("ram")).asInt(2));
            String country = text(o, "location");
            String region = text(o, "region");
            out.add(new NormalisedOffer(
                    "rackrr-" + ref,
                    "rackrr",
                    ref,
                    GpuNames.normalise(display != null ? display : slug, gb),
                    o.path(f("gpu_count")).asInt(1),
                    gb,
                    Offers.usd(o.path(f("price_per_hour")).asDouble()),
                    "USD",
                    region != null ? region : country,
                    country,
                    ProviderHttp.decimal(o, f("reliability")),
                    o.path(f("available")).asBoolean(true),
                    null,
                    Offers.cuda(text(o, "cuda_version")),
                    null,
                    null,
                    vcpus,
                    ram,
                    ProviderHttp.integer(o, f("storage")),
                    fetchedAt,
                    Offers.provisioning(
                            "provider_id",
                            text(o, "provider_id"),
                            "provider_ref",
                            ref,
                            "gpu_model",
                            slug,
                            "gpu_count",
                            o.path(f("gpu_count")).asInt(1),
                            "vcpus",
                            vcpus,
                            "ram",
                            ram,
                            "storage",
                            o.path(f("storage")).asInt(100),
                            "vm_type",
                            type,
                            "fixed_spec",
                            notes == null
                                    ? "false"
                                    : String.valueOf(notes.path("fixed_spec").asBoolean(false)))));
        }
        return out;
    }

    @Override
    public String create(ProvisionSpec spec) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider_id", spec.required("provider_id"));
        body.put("provider_ref", spec.required("provider_ref"));
        body.put("gpu_model", spec.required("gpu_model"));
        body.put("gpu_count", spec.requiredInt("gpu_count"));
        // Rackrr rejects odd vCPU / RAM
        body.put("vcpus", Offers.even(spec.requiredInt("vcpus")));
        body.put("ram", Offers.even(spec.requiredInt("ram")));
        boolean fixed = Boolean.parseBoolean(spec.provisioning().getOrDefault("fixed_spec", "false"));
        int storage = spec.requiredInt("storage");
        body.put("storage", spec.diskGb() != null && !fixed ? Math.max(10, spec.diskGb()) : storage);
        body.put("user_provided_name", spec.tag());
        // Rackrr takes exactly one key per VM (no key API): the configured one of the command's keys
        int idx = Math.min(
                settings.intOption("key-index", 0), spec.sshPublicKeys().size() - 1);
        body.put("ssh_public_key", spec.sshPublicKeys().get(idx).trim());
        Response r = http.post("/vms/provision", body);
        if (r.status() == 404) {
            // unknown provider_ref: the offer is gone since the catalog was read
            throw new ProviderException(
                    ErrorClass.STALE_INVENTORY, "rackrr create: " + r.snippet(), 404, null, false, null);
        }
        ProviderHttp.require("rackrr create", r, RackrrAdapter::refine);
        String id = text(r.json(), "id");
        if (id == null) {
            ErrorClass c = refine(r);
            throw new ProviderException(
                    c == null ? ErrorClass.TRANSIENT : c,
                    "rackrr create: no id in " + r.snippet(),
                    r.status(),
                    null,
                    false,
                    null);
        }
        return id;
    }

    @Override
    public InstanceView describe(String instanceId, List<String> keys) {
        Response r = http.get("/vms/" + enc(instanceId));
        if (r.status() == 404) {
            return InstanceView.gone(instanceId);
        }
        return view(ProviderHttp.require("rackrr get", r, RackrrAdapter::refine).json());
    }

    private InstanceView view(JsonNode v) {
        String status = text(v, "status");
        String ip = text(v, "ip_address");
        Integer port = ProviderHttp.integer(v, f("ssh_port"));
        BrokerState state = map(status, ip, port, settings.option("status.terminated", "terminated"));
        boolean up = state == BrokerState.RUNNING;
        Instant created = null;
        try {
            created = text(v, "created_at") == null ? null : Instant.parse(text(v, "created_at"));
        } catch (RuntimeException ignored) {
            // informative only
        }
        String user = text(v, "ssh_user");
        return new InstanceView(
                text(v, "id"),
                text(v, "user_provided_name"),
                status,
                state,
                up ? ip : null,
                up ? port : null,
                up ? (user != null ? user : settings.option("ssh-user", "user")) : null,
                null,
                created);
    }

    static BrokerState map(String status, String ip, Integer port, String terminated) {
        String s = status == null ? "" : status.toLowerCase(Locale.ROOT);
        if (s.equals(terminated)) {
            return BrokerState.GONE;
        }
        return switch (s) {
            case "running" -> ip != null && port != null ? BrokerState.RUNNING : BrokerState.PROVISIONING;
            case "provisioning", "pending", "starting", "scheduled", "" -> BrokerState.PROVISIONING;
            default -> BrokerState.FAILED;
        };
    }

    @Override
    public void destroy(String instanceId) {
        Response r = http.post("/vms/" + enc(instanceId) + "/terminate", Map.of());
        if (r.status() == 404) {
            return;
        }
        ProviderHttp.require("rackrr terminate", r, RackrrAdapter::refine);
    }

    @Override
    public List<InstanceView> listInstances() {
        Response r = ProviderHttp.require("rackrr list", http.get("/vms"), RackrrAdapter::refine);
        JsonNode arr = r.json();
        if (!arr.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "rackrr list: answer is not an array");
        }
        List<InstanceView> out = new ArrayList<>();
        arr.forEach(v -> out.add(view(v)));
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public BillingApi billingApi() {
        return BillingApi.ACCOUNT;
    }

    /** {@code GET /wallets/transactions}: the debits carry the {@code vm_id} they bill. */
    @Override
    public BilledCosts billedCosts(Collection<String> instanceIds) {
        // status-only classification: a 503 saying "wallet service degraded" is an outage, not missing funds
        Response r = ProviderHttp.require(
                "rackrr wallet transactions",
                http.get(settings.option("path.transactions", "/wallets/transactions")),
                BilledAmounts::refine);
        JsonNode body = r.exactJson();
        JsonNode list = body.isArray() ? body : body.get("transactions");
        if (list == null || !list.isArray()) {
            throw BilledAmounts.badAnswer("rackrr", body, "no transactions");
        }
        List<BilledAmounts.Row> rows = new ArrayList<>();
        for (JsonNode t : list) {
            if ("debit".equals(t.path("type").asText()) && t.hasNonNull("vm_id")) {
                rows.add(new BilledAmounts.Row(t.get("vm_id").asText(), t.path("amount")));
            }
        }
        return BilledAmounts.sum("rackrr", rows, instanceIds);
    }
}
