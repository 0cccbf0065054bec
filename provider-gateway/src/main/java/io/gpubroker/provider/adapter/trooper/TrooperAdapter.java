package io.gpubroker.provider.adapter.trooper;

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
import io.gpubroker.provider.adapter.SshKeyInstaller;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trooper.ai: blibs priced in EUR (converted to USD with {@code eur-to-usd}); an order must echo the
 * live {@code price_h} (a mismatch is {@code price_changed}); the title (ownership tag) can only be
 * set after ordering; servers have password credentials, so once {@code status} (current, not the
 * desired {@code status_user}) is running the adapter logs in with the password and installs the
 * session's keys itself — "running" is reported only after that. No documented terminate: the
 * action is configurable ({@code terminate-action}).
 */
public final class TrooperAdapter implements ProviderAdapter, AutoCloseable {
    private final ProviderSettings settings;
    private final ProviderHttp http;
    private final SshKeyInstaller ssh;
    /** Servers whose keys are installed (a restart of the gateway installs them once more: appending is harmless). */
    private final Set<String> keyed = ConcurrentHashMap.newKeySet();

    public TrooperAdapter(ProviderSettings s) {
        this.settings = s;
        this.http = new ProviderHttp(
                s.baseUrl(),
                Map.of("Authorization", "Bearer " + s.apiKey()),
                s.duration("http-timeout", java.time.Duration.ofSeconds(30)));
        this.ssh = new SshKeyInstaller(s.duration("ssh-timeout", java.time.Duration.ofSeconds(15)));
    }

    @Override
    public String name() {
        return "trooper";
    }

    ErrorClass refine(Response r) {
        String m = String.valueOf(ProviderHttp.text(r.json(), "error")).toLowerCase(Locale.ROOT);
        if (m.contains(
                settings.option("error.price-changed", "price has changed").toLowerCase(Locale.ROOT))) {
            return ErrorClass.PRICE_CHANGED;
        }
        if (m.contains("no capacity") || m.contains("capacity")) {
            return ErrorClass.NO_CAPACITY;
        }
        if (m.contains("budget") || m.contains("insufficient")) {
            return ErrorClass.INSUFFICIENT_FUNDS;
        }
        if (m.contains("blib") || m.contains("unknown")) {
            return ErrorClass.STALE_INVENTORY;
        }
        if (m.contains("server not found")) {
            return ErrorClass.NOT_FOUND;
        }
        if (m.contains("authorization")) {
            return ErrorClass.AUTH;
        }
        return null;
    }

    private Response checked(String what, Response r) {
        if (r.ok() && r.json().has("success") && !r.json().path("success").asBoolean(true)) {
            ErrorClass c = refine(r);
            throw new ProviderException(
                    c == null ? ErrorClass.TRANSIENT : c, what + ": " + r.snippet(), r.status(), null, false, null);
        }
        return ProviderHttp.require(what, r, this::refine);
    }

    @Override
    public List<NormalisedOffer> fetchOffers(Instant fetchedAt) {
        Response r = checked("trooper blibs", http.get("/api/blibs"));
        JsonNode arr = r.json();
        if (!arr.isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "trooper blibs: answer is not an array");
        }
        BigDecimal rate = BigDecimal.valueOf(settings.doubleOption("eur-to-usd", 1.087));
        List<NormalisedOffer> out = new ArrayList<>(arr.size());
        for (JsonNode b : arr) {
            String id = ProviderHttp.text(b, "id");
            String eur = b.path("price_h").asText();
            BigDecimal usd = new BigDecimal(eur).multiply(rate).setScale(4, RoundingMode.HALF_UP);
            int vram = GpuNames.nearestMarketed(b.path("gpu_ram").asDouble());
            Integer fit = ProviderHttp.integer(b, "fitCount");
            String country = ProviderHttp.text(b, "country_code");
            out.add(new NormalisedOffer(
                    "trooper-" + id,
                    "trooper",
                    id,
                    GpuNames.normalise(ProviderHttp.text(b, "gpu_type"), vram),
                    b.path("gpu_num").asInt(1),
                    vram,
                    usd,
                    "USD",
                    country,
                    country,
                    null,
                    b.path("is_available").asBoolean(fit == null || fit > 0),
                    fit,
                    null,
                    null,
                    null,
                    ProviderHttp.integer(b, "cpu_cores"),
                    ProviderHttp.integer(b, "cpu_ram"),
                    ProviderHttp.integer(b, "hdd"),
                    fetchedAt,
                    Offers.provisioning(
                            "blib_id",
                            id,
                            "price_h",
                            eur,
                            "currency",
                            "EUR",
                            "contract_interval",
                            settings.option("contract-interval", "HOUR"))));
        }
        return out;
    }

    @Override
    public String create(ProvisionSpec spec) {
        int blib = spec.requiredInt("blib_id");
        BigDecimal price = new BigDecimal(spec.required("price_h"));
        String interval =
                spec.provisioning().getOrDefault("contract_interval", settings.option("contract-interval", "HOUR"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("blib_id", blib);
        // the price echo: Trooper refuses the order if the live price differs from what we quote
        body.put("price_h", price);
        body.put("contract_interval", interval);
        body.put(
                "total_price",
                price.multiply(BigDecimal.valueOf(hours(interval))).setScale(2, RoundingMode.HALF_UP));
        body.put("terms_accepted", true);
        Response r;
        try {
            r = checked("trooper order", http.post("/api/order", body));
        } catch (ProviderException e) {
            if (e.errorClass() != ErrorClass.PRICE_CHANGED) {
                throw e;
            }
            // prices drift between our poll and the order: re-quote once when the live price is
            // within the configured tolerance of what the user was shown, else refuse
            BigDecimal live = livePrice(blib);
            BigDecimal limit = price.multiply(
                    BigDecimal.ONE.add(BigDecimal.valueOf(settings.doubleOption("price-tolerance", 0.05))));
            if (live == null || live.compareTo(limit) > 0) {
                throw e;
            }
            body.put("price_h", live);
            body.put(
                    "total_price",
                    live.multiply(BigDecimal.valueOf(hours(interval))).setScale(2, RoundingMode.HALF_UP));
            r = checked("trooper order", http.post("/api/order", body));
        }
        String orderId = ProviderHttp.text(r.json(), "orderId");
        if (orderId == null) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "trooper order: no orderId in " + r.snippet());
        }
        return serverIdOf(orderId);
    }

    private BigDecimal livePrice(int blib) {
        for (JsonNode b : checked("trooper blibs", http.get("/api/blibs")).json()) {
            if (String.valueOf(blib).equals(ProviderHttp.text(b, "id"))) {
                return new BigDecimal(b.path("price_h").asText());
            }
        }
        return null;
    }

    /** The server id that order/status/credential calls take; found in the order list. */
    private String serverIdOf(String orderId) {
        for (JsonNode o : orders()) {
            if (orderId.equals(ProviderHttp.text(o, "order_id"))) {
                return ProviderHttp.text(o, "serverId");
            }
        }
        throw ProviderException.of(ErrorClass.TRANSIENT, "trooper: order " + orderId + " not yet listed");
    }

    static int hours(String interval) {
        return switch (interval) {
            case "DAY" -> 24;
            case "WEEK" -> 168;
            case "MONTH" -> 720;
            case "YEAR" -> 8760;
            default -> 1;
        };
    }

    @Override
    public boolean tagsAfterCreate() {
        return true;
    }

    @Override
    public void afterCreate(String instanceId, ProvisionSpec spec) {
        // Trooper cannot tag at order time: the title is the ownership tag, set right after
        checked(
                "trooper title",
                http.post("/api/order-title", Map.of("serverId", Integer.parseInt(instanceId), "title", spec.tag())));
    }

    private JsonNode orders() {
        Response r = checked("trooper orders", http.get("/api/orders"));
        if (!r.json().isArray()) {
            throw ProviderException.of(ErrorClass.TRANSIENT, "trooper orders: answer is not an array");
        }
        return r.json();
    }

    @Override
    public InstanceView describe(String instanceId, List<String> keys) {
        return describe(instanceId, keys, null);
    }

    @Override
    public InstanceView describe(String instanceId, List<String> keys, String pinnedHostKey) {
        for (JsonNode o : orders()) {
            if (instanceId.equals(ProviderHttp.text(o, "serverId"))) {
                InstanceView v = view(o);
                if (v.brokerState() != BrokerState.RUNNING) {
                    return v;
                }
                return withKeys(v, keys, pinnedHostKey);
            }
        }
        return InstanceView.gone(instanceId);
    }

    /**
     * Running per Trooper: fetch credentials, pin the host key, install the keys with the password,
     * then report SSH access. An unpinned host only has its key read (no password sent): the view
     * stays provisioning and carries the key for the gateway to pin; the next look installs.
     */
    private InstanceView withKeys(InstanceView v, List<String> keys, String pinnedHostKey) {
        Response r = checked(
                "trooper credentials",
                http.post("/api/credentials", Map.of("serverId", Integer.parseInt(v.instanceId()))));
        JsonNode c = r.json();
        String ip = ProviderHttp.text(c, "ip");
        Integer port = ProviderHttp.integer(c, "ssh_port");
        String user = ProviderHttp.text(c, "username");
        String password = ProviderHttp.text(c, "password");
        if (ip == null || port == null || user == null || password == null) {
            return v.withState(BrokerState.PROVISIONING);
        }
        if (pinnedHostKey == null) {
            // no keys: a look on the way to destroying it, or an unknown server; no connection for that
            return keys == null || keys.isEmpty()
                    ? v.withState(BrokerState.PROVISIONING)
                    : v.withState(BrokerState.PROVISIONING).withHostKey(ssh.hostKey(ip, port, user));
        }
        String keyedAs = v.instanceId() + "@" + port;
        if (!keyed.contains(keyedAs)) {
            if (keys == null || keys.isEmpty()) {
                // nothing to install (no intent known for this server): it is not usable by a session
                return v.withState(BrokerState.PROVISIONING);
            }
            try {
                ssh.install(ip, port, user, password, keys, pinnedHostKey);
            } catch (SshKeyInstaller.HostKeyChanged e) {
                // another machine answers (or it was reinstalled): unusable, and never re-pinned silently
                return new InstanceView(
                        v.instanceId(),
                        v.tag(),
                        e.getMessage(),
                        BrokerState.FAILED,
                        null,
                        null,
                        null,
                        null,
                        v.createdAt(),
                        pinnedHostKey);
            }
            // the port changes after restart/migration/reset, and with it the host: install again then
            keyed.add(keyedAs);
        }
        return new InstanceView(
                v.instanceId(),
                v.tag(),
                v.providerState(),
                BrokerState.RUNNING,
                ip,
                port,
                user,
                null,
                v.createdAt(),
                pinnedHostKey);
    }

    private InstanceView view(JsonNode o) {
        String status = ProviderHttp.text(o, "status");
        String desired = ProviderHttp.text(o, "status_user");
        return new InstanceView(
                ProviderHttp.text(o, "serverId"),
                ProviderHttp.text(o, "title"),
                status + (desired == null ? "" : "/" + desired),
                map(status, settings.option("status.terminated", "terminated")),
                null,
                null,
                null,
                null,
                null);
    }

    /** {@code status} is the current state; {@code status_user} only what was asked for. */
    static BrokerState map(String status, String terminated) {
        String s = status == null ? "" : status.toLowerCase(Locale.ROOT);
        if (s.equals(terminated)) {
            return BrokerState.GONE;
        }
        return switch (s) {
            case "running" -> BrokerState.RUNNING;
            case "installing", "starting", "restarting", "migrated", "" -> BrokerState.PROVISIONING;
            default -> BrokerState.FAILED;
        };
    }

    @Override
    public void destroy(String instanceId) {
        String action = settings.option("terminate-action", "terminated");
        Response r = http.post(
                "/api/order-status",
                Map.of("serverId", Integer.parseInt(instanceId), "action", action, "migration_allowed", false));
        if (r.status() == 403 && r.snippet().toLowerCase(Locale.ROOT).contains("not found")) {
            return; // Trooper's "unknown server": already gone
        }
        checked("trooper terminate", r);
    }

    @Override
    public List<InstanceView> listInstances() {
        List<InstanceView> out = new ArrayList<>();
        for (JsonNode o : orders()) {
            InstanceView v = view(o);
            if (v.brokerState() != BrokerState.GONE) {
                out.add(v);
            }
        }
        return out;
    }

    @Override
    public void close() {
        ssh.close();
    }
}
