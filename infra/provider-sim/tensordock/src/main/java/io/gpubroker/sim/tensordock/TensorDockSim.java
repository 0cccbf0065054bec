package io.gpubroker.sim.tensordock;

import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * TensorDock v2 ("dashboard" API) simulator: locations and hostnodes from a stale snapshot,
 * JSON:API-style create, flat get, two list envelopes, start/stop with StoppedDisassociated,
 * secrets (SSH keys), errors inside HTTP 200, and real SSH for login user {@code user}
 * (and {@code root} when cloud-init writes the key there).
 *
 * <p>Keys reach the VM only the TensorDock way, after the cloud-init delay: the
 * {@code ssh_key}/{@code ssh_key_id} attribute (configurable, BUG-002), cloud-init {@code runcmd}
 * lines and {@code write_files} that write {@code authorized_keys}.
 */
public class TensorDockSim extends ProviderSim {

    final Settings settings;
    final Catalog catalog;
    final Map<String, TdInstance> vms = new LinkedHashMap<>();
    final Map<String, TdAccountRoutes.Secret> secrets = new LinkedHashMap<>();
    final CreateRequest.Rules rules;
    final double initialBalance;
    RateLimiter rateLimiter;

    final TdLifecycle lifecycle = new TdLifecycle(this);
    private final TdCatalogRoutes catalogRoutes = new TdCatalogRoutes(this);
    private final TdCreateRoutes createRoutes = new TdCreateRoutes(this);
    private final TdInstanceRoutes instanceRoutes = new TdInstanceRoutes(this);
    private final TdAccountRoutes accountRoutes = new TdAccountRoutes(this);
    private final TdControlRoutes controlRoutes = new TdControlRoutes(this);

    final String stCreating;
    final String stRunning;
    final String stStarting;
    final String stStopping;
    final String stStopped;
    final String stDisassociated;
    final String stDeleting;
    final String stDeleted;
    final String stDies;
    final String stHostOffline;

    public TensorDockSim(SimConfig config, SimClock clock) {
        super("tensordock", config, clock);
        this.settings = new Settings(config);
        this.catalog = new Catalog(
                config.getInt("seed", 42),
                config.getInt("tensordock.offers", 40),
                config.getDuration("tensordock.snapshot-refresh", Duration.ofSeconds(60)),
                config.getBool("tensordock.hostnodes-list-includes-ports", false),
                config.getDouble("tensordock.price-drift-pct", 0.01));
        this.rules = new CreateRequest.Rules(
                csv(config.get("tensordock.images", "ubuntu2404,ubuntu2204,ubuntu2004,debian12,debian11,windows10")),
                config.getInt("tensordock.min-storage-gb", 100),
                config.getInt("tensordock.name-max-length", 255),
                csv(config.get("tensordock.ram-steps", "")).stream()
                        .map(Integer::valueOf)
                        .collect(Collectors.toSet()));
        this.initialBalance = config.getDouble("tensordock.initial-balance", 1000.0);
        this.rateLimiter = new RateLimiter(config.getInt("tensordock.rate-limit-per-minute", 0));
        this.stCreating = status("creating", "creating");
        this.stRunning = status("running", "running");
        this.stStarting = status("starting", "starting");
        this.stStopping = status("stopping", "stopping");
        this.stStopped = status("stopped", "stopped");
        this.stDisassociated = status("stopped-disassociated", "StoppedDisassociated");
        this.stDeleting = status("deleting", "deleting");
        this.stDeleted = status("deleted", "deleted");
        this.stDies = status("dies", stStopped);
        this.stHostOffline = status("host-offline", "error");
        catalog.refresh(clock.now());
    }

    @Override
    public String basePath() {
        return config.get("tensordock.base-path", "/api/v2");
    }

    // ------------------------------------------------------------------ auth, errors

    @Override
    protected boolean authorized(RoutingContext ctx) {
        if (super.authorized(ctx)) {
            return true;
        }
        if (ctx.request().path().equals(basePath() + "/locations")) {
            // Older clients (cloud-gpu-shopper) pass the token as a query parameter here.
            return config.getBool("tensordock.locations-public", false)
                    || config.getBool("tensordock.locations-query-token", true)
                            && apiKey().equals(ctx.request().getParam("api_token"));
        }
        return false;
    }

    @Override
    protected void unauthorized(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null || h.isBlank()) {
            error(ctx, config.getInt("tensordock.missing-token-status", 401), "Unauthorized: missing API token");
        } else {
            error(ctx, config.getInt("tensordock.invalid-token-status", 401), "Unauthorized: invalid API token");
        }
    }

    @Override
    protected void error(RoutingContext ctx, int status, String message) {
        if ("errors".equals(settings.errorBody)) {
            json(
                    ctx,
                    status,
                    new TdJson.JsonApiErrors(
                            List.of(new TdJson.JsonApiError(String.valueOf(status), title(status), message))));
        } else {
            json(ctx, status, new TdJson.Error(message));
        }
    }

    @Override
    protected void error200(RoutingContext ctx, String message) {
        json(ctx, 200, new TdJson.Error200(400, message));
    }

    @Override
    protected void rateLimited(RoutingContext ctx, Integer retryAfterSeconds) {
        if (retryAfterSeconds != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        error(ctx, 429, "Too many requests, please try again later.");
    }

    // ------------------------------------------------------------------ routes

    @Override
    protected void configureApi(Router router) {
        String b = basePath();
        router.route(b + "/*").handler(this::rateLimit);
        api(router, HttpMethod.GET, b + "/locations", "offers", ctx -> json(ctx, 200, catalog.locationsJson(now())));
        api(router, HttpMethod.GET, b + "/hostnodes", "hostnodes", catalogRoutes::listHostnodes);
        api(router, HttpMethod.GET, b + "/hostnodes/:id", "hostnode", catalogRoutes::getHostnode);
        api(router, HttpMethod.POST, b + "/instances", "create", createRoutes::create);
        api(router, HttpMethod.GET, b + "/instances", "list", instanceRoutes::list);
        api(router, HttpMethod.GET, b + "/instances/:id", "get", instanceRoutes::get);
        api(router, HttpMethod.DELETE, b + "/instances/:id", "destroy", instanceRoutes::destroy);
        api(router, HttpMethod.POST, b + "/instances/:id/start", "start", instanceRoutes::start);
        api(router, HttpMethod.POST, b + "/instances/:id/stop", "stop", instanceRoutes::stop);
        api(router, HttpMethod.GET, b + "/secrets", "ssh_keys", accountRoutes::listSecrets);
        api(router, HttpMethod.POST, b + "/secrets", "ssh_key", accountRoutes::createSecret);
        api(router, HttpMethod.GET, b + "/secrets/:id", "ssh_key_get", accountRoutes::getSecret);
        api(router, HttpMethod.DELETE, b + "/secrets/:id", "ssh_key_delete", accountRoutes::deleteSecret);
        api(router, HttpMethod.POST, b + "/auth/test", "auth_test", ctx -> json(ctx, 200, new TdJson.AuthTest(true)));
        api(
                router,
                HttpMethod.GET,
                b + config.get("tensordock.balance-path", "/billing/balance"),
                "balance",
                accountRoutes::balance);

        Duration driftEvery = config.getDuration("tensordock.price-drift-interval", Duration.ofSeconds(300));
        if (!driftEvery.isZero()) {
            vx().setPeriodic(Math.max(200, clock.realMillis(driftEvery)), id -> catalog.driftPrices());
        }
    }

    private void rateLimit(RoutingContext ctx) {
        if (!rateLimiter.enabled()) {
            ctx.next();
            return;
        }
        boolean ok = rateLimiter.tryAcquire();
        ctx.response()
                .putHeader("X-RateLimit-Limit", String.valueOf(rateLimiter.limit()))
                .putHeader("X-RateLimit-Remaining", String.valueOf(rateLimiter.remaining()))
                .putHeader("X-RateLimit-Reset", String.valueOf(rateLimiter.secondsToReset()));
        if (ok) {
            ctx.next();
        } else {
            rateLimited(
                    ctx,
                    config.getBool("tensordock.rate-limit-retry-after", false) ? rateLimiter.secondsToReset() : null);
        }
    }

    // ------------------------------------------------------------------ instances, balance

    void register(TdInstance vm) {
        instances.put(vm.id, vm);
        vms.put(vm.id, vm);
    }

    /** False once the VM was deleted or dropped by a reset. */
    boolean registered(TdInstance vm) {
        return instances.get(vm.id) == vm;
    }

    double balance() {
        return initialBalance - spent();
    }

    double spent() {
        Instant now = now();
        BigDecimal total = BigDecimal.ZERO;
        for (SimInstance i : instances.values()) {
            total = total.add(i.accrued(now));
        }
        return total.doubleValue();
    }

    // ------------------------------------------------------------------ faults, orphans, reset

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        TdInstance v = (TdInstance) instance;
        switch (kind) {
            case "dies" -> v.state = stDies;
            case "host_offline" -> v.state = stHostOffline;
            default -> throw new IllegalArgumentException("unknown state fault " + kind + " (dies, host_offline)");
        }
        v.epoch++;
        closeSsh(v);
        lifecycle.charge(v, lifecycle.stoppedFraction(v));
    }

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        String gpu = body.getString("gpu");
        Hostnode node = catalog.hostnodes.stream()
                .filter(h -> gpu == null || h.gpuName.v0Name().equals(gpu))
                .filter(h -> h.fits(1, 4, 16, 100) && h.freePorts().size() > 0)
                .findFirst()
                .orElse(null);
        TdInstance vm;
        if (node != null) {
            vm = lifecycle.place(
                    node, tag, "ubuntu2204", 1, 4, 16, 100, false, List.of(new TdJson.PortForward(22, 0)), stRunning);
        } else {
            // Nothing free: someone else's VM still exists, it just holds no capacity we track.
            Hostnode h = catalog.hostnodes.get(0);
            vm = new TdInstance(
                    newId(), tag, stRunning, h, "ubuntu2204", 1, 4, 16, 100, false, h.rate(1, 4, 16, 100), now());
            vm.forwards.add(new TdInstance.Forward(22, 0, 0, 0));
            register(vm);
        }
        vm.ipAddress = config.get("tensordock.ip-address", "127.0.0.1");
        lifecycle.charge(vm, 1.0);
        String key = body.getString("ssh_key");
        int ep = vm.epoch;
        TdInstance orphan = vm;
        openSsh(vm, config.get("tensordock.ssh-user", "user"), host -> {
            if (!lifecycle.current(orphan, ep)) {
                closeSsh(orphan);
            } else if (key != null) {
                host.authorize(key);
            }
        });
        return vm;
    }

    @Override
    protected void resetProviderState() {
        for (TdInstance v : vms.values()) {
            // Core's reset closes SSH but leaves instances un-destroyed: an SSH bind still in
            // flight would then open a server nobody closes. Marking destroyed makes openSsh close it.
            v.destroyed = true;
            v.epoch++;
        }
        vms.clear();
        secrets.clear();
        catalog.reset(now());
        settings.update(new JsonObject(new Settings(config).view()));
        rateLimiter = new RateLimiter(config.getInt("tensordock.rate-limit-per-minute", 0));
    }

    @Override
    protected void configureControl(Router router) {
        controlRoutes.register(router);
    }

    // ------------------------------------------------------------------ helpers

    String newId() {
        return UUID.randomUUID().toString();
    }

    private String status(String key, String def) {
        return config.get("tensordock.status." + key, def);
    }

    private static Set<String> csv(String s) {
        return Arrays.stream(s.split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
