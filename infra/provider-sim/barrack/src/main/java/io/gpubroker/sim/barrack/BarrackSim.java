package io.gpubroker.sim.barrack;

import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Barrack (Hyperstack-based VM cloud) simulator. Only {@code POST /deploy-server/} and
 * {@code /pricing/} are confirmed paths; every other path comes from {@code barrack.path.*} so it
 * can be corrected without code. Auth is {@code X-API-Key}; SSH keys are registered by name and
 * referenced in {@code ssh_key} at deploy; the login user is {@code ubuntu}.
 */
public class BarrackSim extends ProviderSim {

    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    final BarrackCatalog catalog;
    /** Every VM since the last reset, including deleted ones (billing stays readable). */
    final Map<String, BarrackInstance> vms = new LinkedHashMap<>();
    /** Registered SSH keys by name. */
    final Map<String, BarrackApi.SshKey> sshKeys = new LinkedHashMap<>();

    private int nextKeyId = 1;
    double credit;
    private long rateWindowStart;
    private int rateWindowCount;

    final BarrackLifecycle lifecycle = new BarrackLifecycle(this);
    final BarrackCatalogRoutes catalogRoutes = new BarrackCatalogRoutes(this);
    private final BarrackDeployRoutes deployRoutes = new BarrackDeployRoutes(this);
    private final BarrackInstanceRoutes instanceRoutes = new BarrackInstanceRoutes(this);
    private final BarrackBillingRoutes billingRoutes = new BarrackBillingRoutes(this);
    private final BarrackKeyRoutes keyRoutes = new BarrackKeyRoutes(this);
    private final BarrackControlRoutes controlRoutes = new BarrackControlRoutes(this);

    public BarrackSim(SimConfig config, SimClock clock) {
        super("barrack", config, clock);
        long seed = config.getInt("barrack.seed", config.getInt("seed", 42));
        this.catalog = new BarrackCatalog(seed, config.getInt("barrack.offers", 40), random);
        this.credit = config.getDouble("barrack.balance", 1000.0);
    }

    @Override
    public String basePath() {
        return config.get("barrack.base-path", "/api");
    }

    // ---------------------------------------------------------------- routes

    @Override
    protected void configureApi(Router router) {
        vx().setPeriodic(
                        clock.realMillis(timing("stock-refresh", Duration.ofSeconds(30))),
                        t -> catalog.refreshSnapshot());
        vx().setPeriodic(
                        clock.realMillis(timing("price-drift-interval", Duration.ofSeconds(60))),
                        t -> catalog.drift(config.getDouble("barrack.price-drift-pct", 0.02)));
        router.route(basePath() + "/*").handler(this::rateLimit);

        route(router, HttpMethod.GET, "stocks", "/gpu-stocks/", "offers", catalogRoutes::stocks);
        route(router, HttpMethod.GET, "pricing", "/pricing/", "pricing", catalogRoutes::pricing);
        route(router, HttpMethod.POST, "pricing", "/pricing/", "pricing", catalogRoutes::pricing);
        route(router, HttpMethod.GET, "regions", "/regions/", "regions", catalogRoutes::regions);
        route(router, HttpMethod.GET, "gpu-specs", "/gpu-specs/", "gpu_specs", catalogRoutes::gpuSpecs);
        route(router, HttpMethod.GET, "os-images", "/os-images/", "images", catalogRoutes::osImages);
        route(router, HttpMethod.POST, "deploy", "/deploy-server/", "create", deployRoutes::deploy);
        route(router, HttpMethod.GET, "list", "/instances/", "list", instanceRoutes::list);
        route(router, HttpMethod.GET, "get", "/instances/{id}/", "get", instanceRoutes::get);
        route(router, HttpMethod.DELETE, "delete", "/instances/{id}/", "destroy", instanceRoutes::delete);
        route(router, HttpMethod.POST, "start", "/instances/{id}/start/", "start", instanceRoutes::start);
        route(router, HttpMethod.POST, "stop", "/instances/{id}/stop/", "stop", instanceRoutes::stop);
        route(router, HttpMethod.POST, "reboot", "/instances/{id}/reboot/", "reboot", instanceRoutes::reboot);
        route(
                router,
                HttpMethod.POST,
                "hibernate",
                "/instances/{id}/hibernate/",
                "hibernate",
                instanceRoutes::hibernate);
        route(router, HttpMethod.POST, "restore", "/instances/{id}/restore/", "restore", instanceRoutes::restore);
        route(
                router,
                HttpMethod.POST,
                "toggle-public-ip",
                "/instances/{id}/toggle-public-ip/",
                "public_ip",
                instanceRoutes::togglePublicIp);
        route(router, HttpMethod.GET, "billing", "/instances/{id}/billing/", "billing", billingRoutes::instanceBilling);
        route(router, HttpMethod.GET, "ssh-keys", "/ssh-keys/", "ssh_keys", keyRoutes::listKeys);
        route(router, HttpMethod.POST, "ssh-keys", "/ssh-keys/", "ssh_key", keyRoutes::createKey);
        route(router, HttpMethod.GET, "ssh-key", "/ssh-keys/{id}/", "ssh_key_get", keyRoutes::getKey);
        route(router, HttpMethod.DELETE, "ssh-key", "/ssh-keys/{id}/", "ssh_key_delete", keyRoutes::deleteKey);
        route(router, HttpMethod.GET, "balance", "/balance/", "balance", billingRoutes::balance);
    }

    /** Registers one endpoint at {@code basePath + barrack.path.<key>} ({@code {id}} = path parameter). */
    private void route(Router router, HttpMethod method, String key, String def, String op, Handler<RoutingContext> h) {
        String path = basePath() + config.get("barrack.path." + key, def).replace("{id}", ":id");
        api(router, method, path, op, ctx -> {
            try {
                h.handle(ctx);
            } catch (BadRequest e) {
                fail(ctx, e.status, e.code, e.getMessage());
            }
        });
    }

    @Override
    protected void configureControl(Router router) {
        controlRoutes.register(router);
    }

    // ---------------------------------------------------------------- auth, errors, limits

    @Override
    protected boolean authorized(RoutingContext ctx) {
        String key = ctx.request().getHeader("X-API-Key");
        return key != null && key.equals(apiKey());
    }

    @Override
    protected void unauthorized(RoutingContext ctx) {
        int status = config.getInt("barrack.auth-error-status", 401);
        if (ctx.request().getHeader("X-API-Key") == null) {
            fail(
                    ctx,
                    status,
                    "not_authenticated",
                    "Authentication credentials were not provided. Send your key in the X-API-Key header.");
        } else {
            fail(ctx, status, "authentication_failed", "Invalid API key.");
        }
    }

    @Override
    protected void error(RoutingContext ctx, int status, String message) {
        fail(ctx, status, errorCode(status), message);
    }

    @Override
    protected void error200(RoutingContext ctx, String message) {
        fail(ctx, 200, "request_failed", message);
    }

    @Override
    protected void rateLimited(RoutingContext ctx, Integer retryAfterSeconds) {
        if (retryAfterSeconds != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        fail(
                ctx,
                429,
                "throttled",
                retryAfterSeconds != null
                        ? "Request was throttled. Expected available in " + retryAfterSeconds + " seconds."
                        : "Request was throttled.");
    }

    /** Fixed one-minute window over real time (GUESSED: Barrack documents no limit); off when 0. */
    private void rateLimit(RoutingContext ctx) {
        int limit = config.getInt("barrack.rate-limit-per-minute", 0);
        if (limit <= 0) {
            ctx.next();
            return;
        }
        long nowMs = System.currentTimeMillis();
        if (nowMs - rateWindowStart >= 60_000) {
            rateWindowStart = nowMs;
            rateWindowCount = 0;
        }
        if (++rateWindowCount > limit) {
            int wait = (int) Math.max(1, (rateWindowStart + 60_000 - nowMs + 999) / 1000);
            rateLimited(ctx, config.getBool("barrack.rate-limit-retry-after", true) ? wait : null);
            return;
        }
        ctx.next();
    }

    void fail(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, new BarrackApi.ErrorBody(false, message, code, requestId(), timestamp()));
    }

    private static String errorCode(int status) {
        return switch (status) {
            case 400 -> "validation_error";
            case 401 -> "authentication_failed";
            case 402 -> "insufficient_balance";
            case 403 -> "permission_denied";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 413 -> "resource_limit_exceeded";
            case 429 -> "throttled";
            case 503 -> "service_unavailable";
            default -> status >= 500 ? "internal_error" : "error";
        };
    }

    void ok(RoutingContext ctx, int status, String message, Object data, Object pagination, String tier) {
        json(ctx, status, new BarrackApi.Envelope(true, message, requestId(), timestamp(), data, pagination, tier));
    }

    String requestId() {
        return String.format("%08x", random.nextInt());
    }

    String timestamp() {
        return now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    // ---------------------------------------------------------------- instances, keys, balance

    void register(BarrackInstance inst) {
        instances.put(inst.id, inst);
        vms.put(inst.id, inst);
    }

    String newInstanceId() {
        String id;
        do {
            StringBuilder sb = new StringBuilder("BRK-");
            for (int i = 0; i < 7; i++) {
                sb.append(ALNUM.charAt(idRandom.nextInt(ALNUM.length())));
            }
            id = sb.toString();
        } while (vms.containsKey(id) || instances.containsKey(id));
        return id;
    }

    /** Registered and generated keys share one id sequence. */
    int takeKeyId() {
        return nextKeyId++;
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        BarrackInstance inst = (BarrackInstance) instance;
        switch (kind) {
            case "dies" -> {
                lifecycle.interrupt(inst, config.get("barrack.status.died", "ERROR"));
                inst.charge(now(), config.getDouble("barrack.died-billing-fraction", 0.0));
            }
            case "host_offline" -> lifecycle.interrupt(inst, config.get("barrack.status.host-offline", "UNKNOWN"));
            default -> throw new IllegalArgumentException("unknown state fault for barrack: " + kind);
        }
    }

    BigDecimal spent() {
        Instant now = now();
        return vms.values().stream().map(v -> v.accrued(now)).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    double balanceNow() {
        return BigDecimal.valueOf(credit)
                .subtract(spent())
                .setScale(4, RoundingMode.HALF_UP)
                .doubleValue();
    }

    // ---------------------------------------------------------------- orphans and reset

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        BarrackCatalog.Model model = BarrackCatalog.model(body.getString("gpu_model", ""));
        BarrackCatalog.Region region = BarrackCatalog.region(body.getString("region", ""));
        int count = body.getInteger("gpu_count", 1);
        if (model == null || region == null || !region.tier().equals(model.tier())) {
            String key = catalog.live().entrySet().stream()
                    .filter(e -> e.getValue() > 0)
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(BarrackCatalog.key("CANADA-1", "RTX-A6000", 1));
            String[] parts = key.split("\\|");
            region = BarrackCatalog.region(parts[0]);
            model = BarrackCatalog.model(parts[1]);
            count = Integer.parseInt(parts[2]);
        }
        double gpuRate = BarrackRequests.round(catalog.price(model.name()) * count, 4);
        String osType = model.tier().equals("legacy") ? "SSD" : "NVMe";
        BarrackInstance inst = new BarrackInstance(
                newInstanceId(),
                tag,
                tag,
                region,
                model,
                count,
                gpuRate,
                100,
                osType,
                BarrackCatalogRoutes.volumeRate(osType, 100),
                List.of(),
                0,
                "image",
                catalogRoutes.images().get(0).trim(),
                body.getString("ssh_key"),
                List.of(),
                false,
                true,
                now());
        if (body.getString("public_key") != null) {
            inst.keys.add(body.getString("public_key"));
        } else if (body.getString("ssh_key") != null && sshKeys.containsKey(body.getString("ssh_key"))) {
            inst.keys.add(sshKeys.get(body.getString("ssh_key")).publicKey());
        }
        inst.holdsCapacity = catalog.take(inst.stockKey());
        register(inst);
        lifecycle.becomeActive(inst);
        inst.ipStatus = config.get("barrack.ip-status-attached", "attached");
        inst.ipAddress = "127.0.0.1";
        return inst;
    }

    /**
     * Core's reset clears the instance map without marking instances destroyed, so an SSH server
     * still starting on a worker would come up afterwards; marking them destroyed here makes
     * {@code openSsh} close it.
     */
    @Override
    protected void resetProviderState() {
        for (BarrackInstance v : vms.values()) {
            if (!v.destroyed) {
                v.epoch++;
                markDestroyed(v);
            }
        }
        vms.clear();
        sshKeys.clear();
        nextKeyId = 1;
        catalog.reset();
        credit = config.getDouble("barrack.balance", 1000.0);
        rateWindowCount = 0;
    }
}
