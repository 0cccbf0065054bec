package io.gpubroker.sim.vastai;

import static io.gpubroker.sim.vastai.VastHttp.fail;

import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.RisingIds;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Vast.ai simulator: {@code /api/v0} plus {@code /api/v1/instances/}, Bearer (or {@code api_key})
 * auth, single-use asks from a refreshed snapshot, the actual/intended status machine, keys attached
 * per instance and a real SSH server for {@code root}, and credit drawn down by what instances
 * really cost. See the module README for op names, config keys and control endpoints.
 */
public class VastAiSim extends ProviderSim {

    private static final String V1_INSTANCES = "/api/v1/instances/";

    final VastTemplates templates = new VastTemplates();
    final Map<Long, VastInstance> vast = new LinkedHashMap<>();
    final List<Map<String, Object>> accountKeys = new ArrayList<>();
    private final Map<String, ArrayDeque<Long>> calls = new HashMap<>();
    VastOffers offers;
    double creditBase;
    boolean v0ListDeprecated;
    final RisingIds instanceIds;
    private long nextKeyId = 4_200;

    final VastLifecycle lifecycle = new VastLifecycle(this);
    private final VastOfferRoutes offerRoutes = new VastOfferRoutes(this);
    private final VastInstanceRoutes instanceRoutes = new VastInstanceRoutes(this);
    private final VastKeyRoutes keyRoutes = new VastKeyRoutes(this);
    private final VastAccountRoutes accountRoutes = new VastAccountRoutes(this);
    private final VastControlRoutes controlRoutes = new VastControlRoutes(this);

    public VastAiSim(SimConfig config, SimClock clock) {
        super("vastai", config, clock);
        this.instanceIds = new RisingIds(config.getInt("vastai.first-instance-id", 7_835_600), 100);
        initMarket();
    }

    private void initMarket() {
        long seed = config.getInt("seed", 42);
        offers = new VastOffers(
                seed,
                config.getInt("vastai.offers", 40),
                config.getInt("vastai.first-ask-id", 29_900_000),
                now().getEpochSecond());
        offers.refresh(now().getEpochSecond());
        creditBase = config.getDouble("vastai.credit", 1000.0);
        v0ListDeprecated = config.getBool("vastai.v0-list-deprecated", true);
    }

    @Override
    public String basePath() {
        return "/api/v0";
    }

    // ---------------------------------------------------------------- routes

    @Override
    protected void configureApi(Router router) {
        String v0 = basePath();
        vast(router, HttpMethod.GET, v0 + "/bundles/", "offers", offerRoutes::searchOffers);
        vast(router, HttpMethod.POST, v0 + "/bundles/", "offers", offerRoutes::searchOffers);
        vast(router, HttpMethod.PUT, v0 + "/search/asks/", "offers", offerRoutes::searchOffers);
        vast(router, HttpMethod.PUT, v0 + "/asks/:id/", "create", instanceRoutes::create);
        vast(router, HttpMethod.GET, V1_INSTANCES, "list", instanceRoutes::listV1);
        vast(router, HttpMethod.GET, v0 + "/instances/", "list_v0", instanceRoutes::listV0);
        vast(router, HttpMethod.PUT, v0 + "/instances/", "manage", instanceRoutes::manageBulk);
        vast(router, HttpMethod.DELETE, v0 + "/instances/", "destroy", instanceRoutes::destroyBulk);
        vast(router, HttpMethod.GET, v0 + "/instances/:id/", "get", instanceRoutes::getOne);
        vast(router, HttpMethod.PUT, v0 + "/instances/:id/", "manage", instanceRoutes::manage);
        vast(router, HttpMethod.DELETE, v0 + "/instances/:id/", "destroy", instanceRoutes::destroy);
        vast(router, HttpMethod.POST, v0 + "/instances/:id/ssh/", "ssh_key", keyRoutes::attachKey);
        vast(router, HttpMethod.GET, v0 + "/instances/:id/ssh/", "ssh_keys", keyRoutes::instanceKeys);
        vast(router, HttpMethod.DELETE, v0 + "/instances/:id/ssh/:key/", "ssh_key_detach", keyRoutes::detachKey);
        vast(router, HttpMethod.POST, v0 + "/ssh/", "account_key", keyRoutes::addAccountKey);
        vast(router, HttpMethod.GET, v0 + "/ssh/", "account_keys", ctx -> json(ctx, 200, accountKeys));
        vast(router, HttpMethod.DELETE, v0 + "/ssh/:key/", "account_key_delete", keyRoutes::deleteAccountKey);
        vast(router, HttpMethod.GET, v0 + "/users/current/", "balance", accountRoutes::currentUser);
        vast(router, HttpMethod.GET, v0 + "/invoices/", "billing", accountRoutes::invoices);
        vast(router, HttpMethod.GET, v0 + "/invoices", "billing", accountRoutes::invoices);
        vast(router, HttpMethod.GET, v0 + "/template/", "templates", offerRoutes::searchTemplates);

        long refresh = Math.max(20, clock.realMillis(timing("offer-refresh", Duration.ofSeconds(30))));
        vertx.setPeriodic(refresh, id -> offers.refresh(now().getEpochSecond()));
        long drift = Math.max(20, clock.realMillis(timing("price-drift-interval", Duration.ofSeconds(60))));
        vertx.setPeriodic(drift, id -> {
            offers.drift(config.getDouble("vastai.price-drift-pct", 0.02));
            offers.churn(config.getDouble("vastai.churn-rate", 0.0));
        });
    }

    /** {@link #api} plus Vast's per-endpoint rate limit and 400 invalid_args for unreadable input. */
    private void vast(Router router, HttpMethod method, String path, String op, Handler<RoutingContext> handler) {
        Handler<RoutingContext> guarded = ctx -> {
            if (tooFrequent(op)) {
                rateLimited(ctx, null);
                return;
            }
            try {
                handler.handle(ctx);
            } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
                fail(ctx, 400, "invalid_args", e.getMessage());
            }
        };
        api(router, method, path, op, guarded);
        // Vast's paths end with "/" (required on /bundles/); leniency is opt-in
        if (path.endsWith("/") && !config.getBool("vastai.strict-trailing-slash", true)) {
            api(router, method, path.substring(0, path.length() - 1), op, guarded);
        }
    }

    /** Vast enforces a minimum interval per endpoint and identity; here: N calls per real second per op. */
    private boolean tooFrequent(String op) {
        int perSecond = config.getInt("vastai.rate-limit-per-second", 0);
        if (perSecond <= 0) {
            return false;
        }
        long nowNanos = System.nanoTime();
        ArrayDeque<Long> q = calls.computeIfAbsent(op, k -> new ArrayDeque<>());
        while (!q.isEmpty() && nowNanos - q.peekFirst() > 1_000_000_000L) {
            q.pollFirst();
        }
        if (q.size() >= perSecond) {
            return true;
        }
        q.addLast(nowNanos);
        return false;
    }

    // ---------------------------------------------------------------- auth and errors

    @Override
    protected boolean authorized(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h != null) {
            return h.equals("Bearer " + apiKey());
        }
        // documented alternative; it leaks into logs, but the real API accepts it
        return apiKey().equals(ctx.request().getParam("api_key"));
    }

    @Override
    protected void unauthorized(RoutingContext ctx) {
        fail(ctx, config.getInt("vastai.auth-error-status", 401), "auth_error", "Invalid user key");
    }

    @Override
    protected void error(RoutingContext ctx, int status, String message) {
        String code = switch (status) {
            case 400 -> "invalid_args";
            case 401, 403 -> "auth_error";
            case 404 -> "not_found";
            case 410 -> "deprecated_endpoint";
            case 429 -> "too_many_requests";
            default -> status >= 500 ? "server_error" : "error";
        };
        fail(ctx, status, code, message);
    }

    @Override
    protected void error200(RoutingContext ctx, String message) {
        fail(ctx, 200, "error", message);
    }

    @Override
    protected void rateLimited(RoutingContext ctx, Integer retryAfterSeconds) {
        // the real API sends no Retry-After; only an injected fault that asks for one gets it
        if (retryAfterSeconds != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        if ("json".equals(config.get("vastai.rate-limit-body", "text"))) {
            fail(ctx, 429, "too_many_requests", "API requests too frequent");
            return;
        }
        ctx.response()
                .setStatusCode(429)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("API requests too frequent: endpoint threshold="
                        + config.getInt("vastai.rate-limit-per-second", 2));
    }

    // ---------------------------------------------------------------- instances, keys, credit

    String initialStatus() {
        String s = config.get("vastai.initial-status", "");
        return s.isBlank() || s.equals("null") ? null : s;
    }

    void register(VastInstance inst) {
        vast.put(inst.numericId, inst);
        instances.put(inst.id, inst);
    }

    VastInstance.Key addKey(VastInstance inst, String publicKey, boolean active) {
        for (VastInstance.Key k : inst.keys) {
            if (k.publicKey.equals(publicKey)) {
                return k;
            }
        }
        VastInstance.Key k = new VastInstance.Key(takeKeyId(), publicKey);
        k.active = active;
        inst.keys.add(k);
        return k;
    }

    /** Instance and account keys share one id sequence. */
    long takeKeyId() {
        return nextKeyId++;
    }

    long userId() {
        return config.getInt("vastai.user-id", 91_234);
    }

    /** Prepaid credit minus everything every instance has accrued so far. */
    BigDecimal credit() {
        Instant now = now();
        BigDecimal spent = BigDecimal.ZERO;
        for (VastInstance i : vast.values()) {
            spent = spent.add(i.accrued(now));
        }
        return BigDecimal.valueOf(creditBase).subtract(spent).setScale(6, RoundingMode.HALF_UP);
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        VastInstance inst = (VastInstance) instance;
        switch (kind) {
            case "dies" -> lifecycle.die(inst);
            case "host_offline" -> {
                // the host stopped sending heartbeats: the contract (and its GPU charge) goes on
                inst.generation++;
                inst.state = config.get("vastai.host-offline-status", "offline");
                inst.statusMsg = "host is offline";
                lifecycle.dropSsh(inst);
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown state fault for vastai: " + kind + " (expected dies or host_offline)");
        }
    }

    // ---------------------------------------------------------------- orphans, control, reset

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        String gpu = body.getString("gpu_name");
        VastOffers.Machine pick = null;
        for (VastOffers.Machine m : offers.machines()) {
            if (m.free > 0 && !m.takenByOthers && (gpu == null || m.gpuName.equalsIgnoreCase(gpu))) {
                pick = m;
                break;
            }
        }
        boolean consumed = pick != null;
        if (pick == null) {
            pick = offers.machines().get(0);
        }
        if (consumed) {
            offers.rent(pick);
        }
        int disk = 20;
        VastInstance inst = new VastInstance(
                instanceIds.next(),
                tag,
                BigDecimal.valueOf(pick.dphTotal(disk)).setScale(6, RoundingMode.HALF_UP),
                now(),
                pick,
                "vastai/base-image:cuda-12.4.1",
                "ssh_proxy",
                null,
                disk,
                null,
                new LinkedHashMap<>(),
                false);
        inst.holdsSlot = consumed;
        if (body.getString("ssh_key") != null) {
            addKey(inst, VastKeyRoutes.validKey(body.getString("ssh_key")), true);
        }
        register(inst);
        lifecycle.toRunning(inst);
        return inst;
    }

    @Override
    protected void configureControl(Router router) {
        controlRoutes.register(router);
    }

    @Override
    protected void resetProviderState() {
        // core's reset drops instances without marking them destroyed; do it so pending timers and
        // in-flight SSH starts of the old instances see them as gone and close their servers
        Instant now = now();
        for (VastInstance i : vast.values()) {
            i.generation++;
            if (!i.destroyed) {
                i.destroyed = true;
                i.stopBilling(now);
            }
            i.ssh = null;
        }
        vast.clear();
        accountKeys.clear();
        calls.clear();
        initMarket();
    }

    /** Applies a fault rule for a second, finer op name (PUT /instances/{id}/ → start, stop, label). */
    void withFault(RoutingContext ctx, String op, Runnable handler) {
        withFault(ctx, faults.next(op), handler);
    }
}
