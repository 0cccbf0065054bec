package io.gpubroker.sim.trooper;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.gpubroker.sim.core.Faults;
import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.RisingIds;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.gpubroker.sim.core.SshHost;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Trooper.ai simulator: the beta REST API under {@code /api} on {@code james.trooper.ai}
 * (Bearer auth, public blibs/templates/test), price-echo ordering, desired vs current status,
 * password SSH (the broker installs its own key), 35 % billing while stopped, and the GUESSED
 * terminate action. See the module README for op names, config keys and control endpoints.
 */
public final class TrooperSim extends ProviderSim {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Set<String> PUBLIC_PATHS = Set.of("/api/test", "/api/blibs", "/api/templates");
    private static final String AUTH_ERROR = "Missing or invalid Authorization header";
    private static final String NOT_FOUND = "Access denied or server not found";
    private static final String LOCKED = "Server is locked and cannot be modified";
    private static final String PASSWORD_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    private static final List<TrooperJson.Template> TEMPLATES = List.of(
            new TrooperJson.Template(1, "PyTorch Environment", "Pre-configured PyTorch environment with CUDA support",
                    "Machine Learning", true, List.of(new TrooperJson.TemplateOption(1, "Python Version", "select",
                            "3.9", "3.8,3.9,3.10"))),
            new TrooperJson.Template(2, "TensorFlow Environment", "TensorFlow with GPU support", "Machine Learning",
                    true, List.of()),
            new TrooperJson.Template(3, "Jupyter Lab", "Jupyter Lab behind a password", "Development", true,
                    List.of(new TrooperJson.TemplateOption(2, "Port", "text", "8888", ""))),
            new TrooperJson.Template(4, "Ollama", "Ollama LLM server", "LLM", true, List.of()));

    private final TrooperSettings settings;
    private final BlibCatalog catalog;
    /** Orders by serverId (management calls) and by order_id (history, templates, migration). */
    private final Map<Integer, Order> byServerId = new LinkedHashMap<>();
    private final Map<Integer, Order> byOrderId = new HashMap<>();
    private final Map<Order, SshState> sshState = new HashMap<>();
    private final SecureRandom secure = new SecureRandom();
    private final RisingIds orderIds;
    private int nextInstallId = 1;
    private long secondWindow;
    private int secondCount;
    private long minuteWindow;
    private int minuteCount;

    /** Per-order SSH server bookkeeping: open/close run on workers, so they are serialised here. */
    private static final class SshState {
        boolean want;
        boolean open;
        boolean busy;
        boolean wipe;
        int runningGeneration = -1;
    }

    public TrooperSim(SimConfig config, SimClock clock) {
        super("trooper", config, clock);
        this.settings = new TrooperSettings(config);
        this.catalog = new BlibCatalog(settings, config.getInt("trooper.seed", config.getInt("seed", 42)));
        this.orderIds = new RisingIds(settings.firstOrderId, 100);
    }

    /** Paths already start with {@code /api}: the adapter's base URL is the bare host. */
    @Override
    public String basePath() {
        return "";
    }

    @Override
    protected void configureApi(Router router) {
        route(router, HttpMethod.GET, "/api/test", "test", ctx -> json(ctx, 200, Map.of("test", "meinstring5")));
        route(router, HttpMethod.GET, "/api/blibs", "offers", ctx -> json(ctx, 200,
                catalog.render(super.authorized(ctx) ? BlibCatalog.Variant.ALL : BlibCatalog.Variant.PUBLIC, now())));
        route(router, HttpMethod.GET, "/api/blibs-private", "offers_private",
                ctx -> json(ctx, 200, catalog.render(BlibCatalog.Variant.PRIVATE, now())));
        route(router, HttpMethod.POST, "/api/order", "create", this::order);
        route(router, HttpMethod.GET, "/api/orders", "list", this::orders);
        route(router, HttpMethod.POST, "/api/order-status", "order_status", this::orderStatus);
        route(router, HttpMethod.POST, "/api/order-title", "title", this::title);
        route(router, HttpMethod.POST, "/api/order-lock", "lock", this::lock);
        route(router, HttpMethod.POST, "/api/credentials", "credentials", this::credentials);
        route(router, HttpMethod.GET, "/api/order-status-history", "history", this::history);
        route(router, HttpMethod.GET, "/api/templates", "templates", ctx -> json(ctx, 200, TEMPLATES));
        route(router, HttpMethod.GET, "/api/template-config", "template_config", this::templateConfig);
        route(router, HttpMethod.POST, "/api/template-install-add", "template_install", this::templateAdd);
        route(router, HttpMethod.POST, "/api/template-install-delete", "template_delete", this::templateDelete);
        route(router, HttpMethod.POST, "/api/template-install-retry", "template_retry", this::templateRetry);
        route(router, HttpMethod.GET, "/api/migration-options", "migration_options", this::migrationOptions);
        route(router, HttpMethod.POST, "/api/migration-cost", "migration_cost", this::migrationCost);
        route(router, HttpMethod.POST, "/api/buy-migration", "buy_migration", this::buyMigration);
        if (!settings.budgetPath.isEmpty()) {
            route(router, HttpMethod.GET, settings.budgetPath, "balance", ctx -> json(ctx, 200, budgetView()));
        }
        router.route().failureHandler(ctx -> error(ctx, ctx.statusCode() >= 400 ? ctx.statusCode() : 500,
                "Internal server error"));
        Duration drift = settings.priceDriftInterval;
        if (!drift.isZero() && !drift.isNegative()) {
            vx().setPeriodic(clock.realMillis(drift), id -> catalog.driftPrices());
        }
    }

    // ---- auth, errors, rate limit -------------------------------------------------------------

    @Override
    protected boolean authorized(RoutingContext ctx) {
        if (super.authorized(ctx)) {
            return true;
        }
        // Public endpoints: token optional; a wrong token is ignored unless configured otherwise (GUESSED).
        return PUBLIC_PATHS.contains(ctx.request().path())
                && (ctx.request().getHeader("Authorization") == null || !settings.publicRejectsBadKey);
    }

    @Override
    protected void unauthorized(RoutingContext ctx) {
        json(ctx, 401, new TrooperJson.Error(null, AUTH_ERROR, "login"));
    }

    @Override
    protected void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, new TrooperJson.Error(null, message, null));
    }

    /** Trooper's success flag set to false inside an HTTP 200 (GUESSED; the docs show no such case). */
    @Override
    protected void error200(RoutingContext ctx, String message) {
        json(ctx, 200, new TrooperJson.Error(false, message, null));
    }

    @Override
    protected void rateLimited(RoutingContext ctx, Integer retryAfterSeconds) {
        if (retryAfterSeconds != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        json(ctx, 429, new TrooperJson.Error(null, settings.rateLimitMessage, null));
    }

    private void route(Router router, HttpMethod method, String path, String op, Handler<RoutingContext> handler) {
        api(router, method, path, op, ctx -> {
            if (overRateLimit()) {
                rateLimited(ctx, settings.rateLimitRetryAfter > 0 ? settings.rateLimitRetryAfter : null);
                return;
            }
            handler.handle(ctx);
        });
    }

    /** Fixed windows in real time: the limit protects the provider's servers, not simulated time. */
    private boolean overRateLimit() {
        long nowMs = System.nanoTime() / 1_000_000;
        if (settings.rateLimitPerSecond > 0) {
            if (nowMs / 1000 != secondWindow) {
                secondWindow = nowMs / 1000;
                secondCount = 0;
            }
            if (++secondCount > settings.rateLimitPerSecond) {
                return true;
            }
        }
        if (settings.rateLimitPerMinute > 0) {
            if (nowMs / 60_000 != minuteWindow) {
                minuteWindow = nowMs / 60_000;
                minuteCount = 0;
            }
            return ++minuteCount > settings.rateLimitPerMinute;
        }
        return false;
    }

    // ---- ordering -----------------------------------------------------------------------------

    private void order(RoutingContext ctx) {
        JsonObject b = body(ctx);
        if (b == null) {
            error(ctx, 400, "Invalid JSON body");
            return;
        }
        Integer blibId = integer(b, "blib_id");
        Blib blib = blibId == null ? null : catalog.get(blibId);
        if (blib == null) {
            error(ctx, 400, settings.errUnknownBlib);
            return;
        }
        if (!Boolean.TRUE.equals(b.getValue("terms_accepted"))) {
            error(ctx, 400, "You must accept the terms and conditions.");
            return;
        }
        String interval = b.getValue("contract_interval") instanceof String s ? s : null;
        if (interval == null || !settings.contractIntervals.contains(interval)) {
            error(ctx, 400, "Invalid or missing contract interval.");
            return;
        }
        Double price = number(b, "price_h");
        if (price == null || Math.abs(price - blib.priceH) > 0.0001) {
            error(ctx, 400, settings.errPriceChanged);
            return;
        }
        double expectedTotal = GpuCatalog.round(blib.priceH * TrooperSettings.hours(interval), 2);
        Double total = number(b, "total_price");
        if (total == null || settings.validateTotalPrice && Math.abs(total - expectedTotal) > 0.011) {
            error(ctx, 400, settings.errTotalPrice);
            return;
        }
        if (budgetLeft().doubleValue() < expectedTotal) {
            error(ctx, 400, settings.errInsufficientBudget);
            return;
        }
        if (blib.capacity <= 0) {
            error(ctx, settings.errNoCapacityStatus, settings.errNoCapacity);
            return;
        }
        Order o = newOrder(blib, interval, settings.statusInstalling);
        takeInstanceFault(o);
        if (b.getValue("templates") instanceof io.vertx.core.json.JsonArray templates) {
            for (Object t : templates) {
                Integer tid = t instanceof JsonObject jo ? integer(jo, "id") : null;
                TEMPLATES.stream().filter(x -> tid != null && x.id() == tid).findFirst()
                        .ifPresent(x -> install(o, x, Map.of()));
            }
        }
        int gen = ++o.generation;
        after(timing("boot", Duration.ofSeconds(90)), () -> toRunning(o, gen));
        json(ctx, 200, new TrooperJson.OrderCreated(true, o.orderId));
    }

    private Order newOrder(Blib blib, String interval, String status) {
        int orderId = orderIds.nextInt();
        Order o = new Order(orderId, orderId + settings.serverIdOffset, blib, interval, status,
                BigDecimal.valueOf(blib.priceH), now(), newPassword());
        if (blib.capacity > 0) {
            blib.capacity--;
            o.holdsCapacity = true;
        }
        o.record("running", "Server ordered", now());
        if (settings.billFromOrder) {
            o.bill(now(), 1.0);
        }
        instances.put(o.id, o);
        byServerId.put(o.serverId, o);
        byOrderId.put(o.orderId, o);
        sshState.put(o, new SshState());
        return o;
    }

    private void orders(RoutingContext ctx) {
        Instant now = now();
        List<TrooperJson.OrderView> out = new ArrayList<>();
        for (Order o : byServerId.values()) {
            if (!o.destroyed || settings.terminatedListed) {
                out.add(o.view(settings.ip, now));
            }
        }
        json(ctx, 200, out);
    }

    // ---- status changes -----------------------------------------------------------------------

    private void orderStatus(RoutingContext ctx) {
        JsonObject b = body(ctx);
        if (b == null) {
            error(ctx, 400, "Invalid JSON body");
            return;
        }
        String action = b.getValue("action") instanceof String s ? s : "";
        String op = switch (action) {
            case "running" -> "start";
            case "stopped" -> "stop";
            case "restarted" -> "restart";
            case "frozen" -> "freeze";
            default -> !settings.terminateAction.isEmpty() && action.equals(settings.terminateAction) ? "destroy" : null;
        };
        if (op == null) {
            error(ctx, 400, "Invalid action.");
            return;
        }
        withActionFault(ctx, op, () -> changeStatus(ctx, b, op));
    }

    private void changeStatus(RoutingContext ctx, JsonObject b, String op) {
        Order o = byServerId.get(integer(b, "serverId"));
        if (o == null || o.destroyed && !op.equals("destroy")) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        if (o.locked) {
            json(ctx, 403, new TrooperJson.Error(false, LOCKED, null));
            return;
        }
        switch (op) {
            case "start" -> start(ctx, o, Boolean.TRUE.equals(b.getValue("migration_allowed")));
            case "stop" -> {
                if (!o.state.equals("stopped")) {
                    int gen = ++o.generation;
                    o.record("stopped", "Server stopped by user", now());
                    o.state = "stopping";
                    after(timing("stop", Duration.ofSeconds(30)), () -> {
                        if (current(o, gen)) {
                            o.state = "stopped";
                            wantSsh(o, false);
                            o.bill(now(), settings.stoppedBillingFraction);
                        }
                    });
                }
                json(ctx, 200, new TrooperJson.StatusChanged(true, "Server stop initiated successfully", o.state));
            }
            case "restart" -> {
                o.record("running", "Server restarted by user", now());
                o.bill(now(), 1.0);
                transitionToRunning(o, "restarting", timing("restart", Duration.ofSeconds(30)));
                json(ctx, 200, new TrooperJson.StatusChanged(true, "Server restart initiated successfully", o.state));
            }
            case "freeze" -> {
                if (!o.state.equals("frozen")) {
                    int gen = ++o.generation;
                    o.record("frozen", "Server frozen by user", now());
                    o.state = "freezing";
                    wantSsh(o, false);
                    after(timing("freeze", Duration.ofSeconds(60)), () -> {
                        if (current(o, gen)) {
                            o.state = "frozen";
                            releaseCapacity(o);
                            o.bill(now(), settings.frozenBillingFraction);
                        }
                    });
                }
                json(ctx, 200, new TrooperJson.StatusChanged(true, "Server freeze initiated successfully", o.state));
            }
            default -> {
                if (!o.destroyed) {
                    terminate(o);
                }
                json(ctx, 200, new TrooperJson.StatusChanged(true, "Server termination initiated successfully", o.state));
            }
        }
    }

    private void start(RoutingContext ctx, Order o, boolean migrationAllowed) {
        switch (o.state) {
            case "running", "starting", "restarting" -> {
                o.record("running", "Server started successfully", now());
            }
            case "frozen" -> {
                if (catalogHasRoom(o)) {
                    o.blib.capacity--;
                    o.holdsCapacity = true;
                    o.record("running", "Server started successfully", now());
                    o.bill(now(), 1.0);
                    transitionToRunning(o, "starting", timing("unfreeze", Duration.ofSeconds(120)));
                } else if (migrationAllowed) {
                    o.record("running", "Server migration started", now());
                    o.bill(now(), 1.0);
                    transitionToRunning(o, "migrated", timing("migration", Duration.ofSeconds(600)));
                } else {
                    error(ctx, 400, settings.errNoCapacity);
                    return;
                }
            }
            default -> {
                if (o.state.equals(settings.statusInstalling) && o.statusUser.equals("running")) {
                    break;
                }
                o.record("running", "Server started successfully", now());
                o.bill(now(), 1.0);
                transitionToRunning(o, "starting", timing("start", Duration.ofSeconds(15)));
            }
        }
        json(ctx, 200, new TrooperJson.StatusChanged(true, "Server start initiated successfully", o.state));
    }

    private boolean catalogHasRoom(Order o) {
        return o.holdsCapacity || o.blib.capacity > 0;
    }

    private void terminate(Order o) {
        o.generation++;
        o.record("terminated", "Server terminated by user", now());
        o.state = "terminated";
        releaseCapacity(o);
        sshState.get(o).want = false;
        markDestroyed(o);
    }

    private void releaseCapacity(Order o) {
        if (o.holdsCapacity) {
            o.holdsCapacity = false;
            o.blib.capacity = Math.min(o.blib.maxCapacity, o.blib.capacity + 1);
        }
    }

    /** Moves through {@code transitional} to {@code running}; running is reached when SSH is up. */
    private void transitionToRunning(Order o, String transitional, Duration d) {
        int gen = ++o.generation;
        o.state = transitional;
        wantSsh(o, false);
        after(d, () -> toRunning(o, gen));
    }

    private void toRunning(Order o, int gen) {
        if (!current(o, gen) || "stuck".equals(o.fault)) {
            return;
        }
        sshState.get(o).runningGeneration = gen;
        wantSsh(o, true);
    }

    private boolean current(Order o, int gen) {
        return !o.destroyed && o.generation == gen;
    }

    private void wantSsh(Order o, boolean want) {
        sshState.get(o).want = want;
        if (!want) {
            // the server goes down (stop, restart, reset, migration): its containers stop with it
            closeApps(o);
        }
        syncSsh(o);
    }

    /** Brings the SSH server in line with what the order's state wants, one operation at a time. */
    private void syncSsh(Order o) {
        SshState s = sshState.get(o);
        if (s == null || s.busy || o.destroyed) {
            return;
        }
        if (s.want && !s.open) {
            s.busy = true;
            openSsh(o, settings.sshUser, host -> {
                s.busy = false;
                s.open = true;
                host.allowPassword(o.password);
                o.sshPort = host.port();
                if (s.want && s.runningGeneration == o.generation) {
                    if (!o.state.equals("running")) {
                        o.state = "running";
                        o.bill(now(), 1.0);
                    }
                    scheduleDeath(o);
                }
                syncSsh(o);
            });
        } else if (!s.want && s.open) {
            s.busy = true;
            SshHost host = o.ssh;
            vx().executeBlocking(() -> {
                host.close();
                return null;
            }, false).onComplete(ar -> {
                s.busy = false;
                s.open = false;
                if (s.wipe) {
                    s.wipe = false;
                    o.ssh = null;
                }
                syncSsh(o);
            });
        } else if (!s.want && s.wipe) {
            s.wipe = false;
            o.ssh = null;
        }
    }

    private void scheduleDeath(Order o) {
        if (!"dies".equals(o.fault) || o.deathScheduled) {
            return;
        }
        o.deathScheduled = true;
        int gen = o.generation;
        after(timing("dies-after", Duration.ofSeconds(30)), () -> {
            if (current(o, gen)) {
                die(o);
            }
        });
    }

    /** The server crashed: current status drops while the desired one stays {@code running}. */
    private void die(Order o) {
        o.generation++;
        o.state = settings.statusDead;
        wantSsh(o, false);
        o.bill(now(), settings.stoppedBillingFraction);
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        Order o = (Order) instance;
        switch (kind) {
            case "dies" -> die(o);
            case "host_offline" -> {
                int gen = ++o.generation;
                o.state = settings.statusHostOffline;
                wantSsh(o, false);
                Duration recovery = timing("host-offline-recovery", Duration.ZERO);
                if (!recovery.isZero()) {
                    after(recovery, () -> toRunning(o, gen));
                }
            }
            default -> throw new IllegalArgumentException("unknown state fault for trooper: " + kind);
        }
    }

    /** Applies a fault rule named after the action ({@code start}, {@code stop}, {@code destroy}, ...). */
    private void withActionFault(RoutingContext ctx, String op, Runnable proceed) {
        // only rules naming the action: a "*" rule already had its chance on the route itself
        boolean named = faults.list().stream().anyMatch(r -> r.instanceFault() == null && op.equals(r.op()));
        withFault(ctx, named ? faults.next(op) : Optional.empty(), proceed);
    }

    // ---- title, lock, credentials, history ----------------------------------------------------

    private void title(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : byServerId.get(integer(b, "serverId"));
        if (o == null) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        if (!(b.getValue("title") instanceof String t)) {
            error(ctx, 400, "Invalid or missing title.");
            return;
        }
        o.tag = t;
        json(ctx, 200, new TrooperJson.Message(true, "Title updated successfully"));
    }

    private void lock(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : byServerId.get(integer(b, "serverId"));
        if (o == null || o.destroyed) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        o.locked = Boolean.TRUE.equals(b.getValue("is_locked"));
        json(ctx, 200, new TrooperJson.LockUpdated(true, 1));
    }

    private void credentials(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : byServerId.get(integer(b, "serverId"));
        if (o == null || o.destroyed) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        json(ctx, 200, new TrooperJson.Credentials(true, settings.ip, o.sshPort, settings.sshUser, o.password, o.state));
    }

    private void history(RoutingContext ctx) {
        Order o = byOrderId.get(queryInt(ctx, "order_id"));
        if (o == null) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        json(ctx, 200, new TrooperJson.History(true, List.copyOf(o.history)));
    }

    // ---- templates ----------------------------------------------------------------------------

    private void templateConfig(RoutingContext ctx) {
        Order o = byOrderId.get(queryInt(ctx, "order_id"));
        if (o == null || o.destroyed) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        List<TrooperJson.InstallConfigView> out = new ArrayList<>();
        for (Order.Install i : o.installs) {
            out.add(new TrooperJson.InstallConfigView(i.id, i.templateId, i.templateName, i.status, i.readable(), i.config));
        }
        json(ctx, 200, new TrooperJson.TemplateConfig(true, out));
    }

    private void templateAdd(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : byOrderId.get(integer(b, "order_id"));
        if (o == null || o.destroyed) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        Integer tid = integer(b, "template_id");
        Optional<TrooperJson.Template> t = TEMPLATES.stream().filter(x -> tid != null && x.id() == tid).findFirst();
        if (t.isEmpty()) {
            error(ctx, 400, "Invalid template.");
            return;
        }
        JsonObject config = b.getValue("config") instanceof JsonObject c ? c : new JsonObject();
        Order.Install i = install(o, t.get(), config.getMap());
        json(ctx, 200, new TrooperJson.InstallAdded(true, i.id, "Template installation queued"));
    }

    private void templateDelete(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Integer id = b == null ? null : integer(b, "install_id");
        for (Order o : byServerId.values()) {
            if (!o.destroyed && o.installs.removeIf(i -> id != null && i.id == id)) {
                json(ctx, 200, new TrooperJson.Message(true, "Template removal initiated"));
                return;
            }
        }
        error(ctx, 403, NOT_FOUND);
    }

    private void templateRetry(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Integer id = b == null ? null : integer(b, "install_id");
        for (Order o : byServerId.values()) {
            for (Order.Install i : o.installs) {
                if (!o.destroyed && id != null && i.id == id) {
                    scheduleInstall(o, i);
                    json(ctx, 200, new TrooperJson.Message(true, "Template installation retry initiated"));
                    return;
                }
            }
        }
        error(ctx, 403, NOT_FOUND);
    }

    private Order.Install install(Order o, TrooperJson.Template t, Map<String, Object> config) {
        Order.Install i = new Order.Install(nextInstallId++, t.id(), t.name(), new LinkedHashMap<>(config));
        o.installs.add(i);
        scheduleInstall(o, i);
        return i;
    }

    private void scheduleInstall(Order o, Order.Install i) {
        i.status = 0;
        after(timing("template-install", Duration.ofSeconds(30)), () -> {
            if (!o.destroyed) {
                i.status = 1;
            }
        });
    }

    // ---- migration ----------------------------------------------------------------------------

    private void migrationOptions(RoutingContext ctx) {
        Order o = byOrderId.get(queryInt(ctx, "order_id"));
        if (o == null || o.destroyed) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        int hours = TrooperSettings.hours(o.contractInterval);
        List<TrooperJson.MigrationBlib> options = new ArrayList<>();
        for (Blib b : catalog.all()) {
            if (b != o.blib && b.capacity > 0 && options.size() < 50) {
                options.add(new TrooperJson.MigrationBlib(b.id, b.name, b.gpuType(), b.gpuNum(), b.priceH, true,
                        GpuCatalog.round((b.priceH - o.pricePerHour.doubleValue()) * hours, 2)));
            }
        }
        Instant now = now();
        json(ctx, 200, new TrooperJson.MigrationOptions(true,
                new TrooperJson.CurrentOrder(o.orderId, o.tag, o.state, o.contractInterval, iso(o.paidUntil(now))),
                new TrooperJson.CurrentBlib(o.blib.id, o.blib.name, o.blib.gpuType(), o.blib.gpuNum(),
                        o.pricePerHour.doubleValue()),
                options));
    }

    private void migrationCost(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : byOrderId.get(integer(b, "order_id"));
        Integer target = b == null ? null : integer(b, "target_blib_id");
        Blib t = target == null ? null : catalog.get(target);
        if (o == null || o.destroyed || t == null) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        json(ctx, 200, cost(o, t));
    }

    private TrooperJson.MigrationCost cost(Order o, Blib t) {
        Instant now = now();
        int hours = TrooperSettings.hours(o.contractInterval);
        double upgrade = GpuCatalog.round(t.priceH * hours, 2);
        double remainingHours = Math.max(0, Duration.between(now, o.paidUntil(now)).toMillis() / 3_600_000.0);
        double remaining = GpuCatalog.round(o.pricePerHour.doubleValue() * remainingHours, 2);
        double current = o.pricePerHour.doubleValue();
        return new TrooperJson.MigrationCost(true, upgrade, remaining, GpuCatalog.round(Math.max(0, upgrade - remaining), 2),
                GpuCatalog.round((t.priceH - current) * hours, 2), iso(o.paidUntil(now)),
                new TrooperJson.Rate(current, String.format("€%.2f/hour", current)),
                new TrooperJson.Rate(t.priceH, String.format("€%.2f/hour", t.priceH)));
    }

    private void buyMigration(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order old = b == null ? null : byOrderId.get(integer(b, "order_id"));
        Integer target = b == null ? null : integer(b, "target_blib_id");
        Blib t = target == null ? null : catalog.get(target);
        if (old == null || old.destroyed || t == null) {
            error(ctx, 403, NOT_FOUND);
            return;
        }
        if (old.locked) {
            json(ctx, 403, new TrooperJson.Error(false, LOCKED, null));
            return;
        }
        if (budgetLeft().doubleValue() < cost(old, t).totalDue()) {
            error(ctx, 400, "Insufficient budget for migration");
            return;
        }
        if (t.capacity <= 0) {
            error(ctx, settings.errNoCapacityStatus, settings.errNoCapacity);
            return;
        }
        boolean keepData = Boolean.TRUE.equals(b.getValue("keep_data"));
        SshHost kept = keepData ? old.ssh : null;
        String password = old.password;
        terminate(old);
        Order o = newOrder(t, old.contractInterval, "migrated");
        o.tag = old.tag;
        if (kept != null) {
            kept.setGpu(t.gpuSpec());
            o.ssh = kept;
            o.password = password;
        }
        transitionToRunning(o, "migrated", timing("migration", Duration.ofSeconds(600)));
        json(ctx, 200, new TrooperJson.MigrationBought(true, "Migration initiated successfully", o.orderId));
    }

    // ---- budget, orphans, reset, control ------------------------------------------------------

    private BigDecimal spent() {
        Instant now = now();
        BigDecimal total = BigDecimal.ZERO;
        for (Order o : byServerId.values()) {
            total = total.add(o.accrued(now));
        }
        return total;
    }

    private BigDecimal budgetLeft() {
        return BigDecimal.valueOf(settings.budget).subtract(spent());
    }

    private TrooperJson.Budget budgetView() {
        BigDecimal spent = spent();
        return new TrooperJson.Budget(true, BigDecimal.valueOf(settings.budget).subtract(spent).setScale(6, RoundingMode.HALF_UP),
                spent.setScale(6, RoundingMode.HALF_UP), "EUR");
    }

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        Integer blibId = integer(body, "blib_id");
        Blib blib = blibId == null ? null : catalog.get(blibId);
        for (Blib b : catalog.all()) {
            if (blib == null || blib.capacity <= 0 && b.capacity > 0) {
                blib = b;
            }
        }
        Order o = newOrder(blib, "HOUR", "running");
        o.tag = tag;
        o.bill(now(), 1.0);
        sshState.get(o).runningGeneration = ++o.generation;
        wantSsh(o, true);
        return o;
    }

    @Override
    protected void resetProviderState() {
        // Core clears its instance map without marking instances destroyed, so timers still
        // pending for them would reopen SSH servers; mark ours destroyed to disarm those timers.
        Instant now = now();
        for (Order o : byServerId.values()) {
            o.destroyed = true;
            o.stopBilling(now);
        }
        byServerId.clear();
        byOrderId.clear();
        sshState.clear();
        catalog.reset();
        // order ids go on rising: a reset never hands out an id the broker may still hold
        nextInstallId = 1;
        secondCount = 0;
        minuteCount = 0;
    }

    @Override
    protected void configureControl(Router router) {
        router.get("/_sim/budget").handler(ctx -> json(ctx, 200, budgetView()));
        router.post("/_sim/blibs/refresh").handler(ctx -> {
            catalog.refresh(now());
            json(ctx, 200, Map.of("refreshed", true));
        });
        router.post("/_sim/price-drift").handler(ctx -> json(ctx, 200, Map.of("changed", catalog.driftPrices())));
        router.get("/_sim/blibs/:id").handler(ctx -> withBlib(ctx, b -> json(ctx, 200, b.view(true))));
        router.post("/_sim/blibs/:id/gone").handler(ctx -> withBlib(ctx, b -> {
            b.capacity = 0;
            json(ctx, 200, b.view(true));
        }));
        router.post("/_sim/blibs/:id/capacity").handler(ctx -> withBlib(ctx, b -> {
            JsonObject body = body(ctx);
            Integer fit = body == null ? null : integer(body, "fitCount");
            if (fit == null || fit < 0) {
                json(ctx, 400, Map.of("error", "fitCount >= 0 is required"));
                return;
            }
            b.capacity = fit;
            json(ctx, 200, b.view(true));
        }));
        router.post("/_sim/blibs/:id/price").handler(ctx -> withBlib(ctx, b -> {
            JsonObject body = body(ctx);
            Double price = body == null ? null : number(body, "price_h");
            if (price != null && price > 0) {
                b.priceH = GpuCatalog.round(price, 2);
            } else {
                catalog.changeBy(b, settings.priceDriftStep);
            }
            json(ctx, 200, b.view(true));
        }));
        router.post("/_sim/orders/:id/reset").handler(ctx -> {
            Order o = byOrderId.get(parseInt(ctx.pathParam("id")));
            if (o == null || o.destroyed) {
                json(ctx, 404, Map.of("error", "no live order " + ctx.pathParam("id")));
                return;
            }
            resetServer(o);
            json(ctx, 200, o.controlView(now()));
        });
    }

    /** Trooper's {@code reset}: wiped and reinstalled, so installed keys are gone and password and port change. */
    private void resetServer(Order o) {
        int gen = ++o.generation;
        o.state = "reset";
        o.password = newPassword();
        SshState s = sshState.get(o);
        s.wipe = true;
        wantSsh(o, false);
        o.apps = null; // reinstalled: no containers survive
        after(timing("reset", Duration.ofSeconds(60)), () -> toRunning(o, gen));
    }

    private void withBlib(RoutingContext ctx, java.util.function.Consumer<Blib> action) {
        Blib b = catalog.get(parseInt(ctx.pathParam("id")));
        if (b == null) {
            json(ctx, 404, Map.of("error", "no blib " + ctx.pathParam("id")));
            return;
        }
        action.accept(b);
    }

    // ---- small helpers ------------------------------------------------------------------------

    static String iso(Instant t) {
        return ISO.format(t);
    }

    private String newPassword() {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            sb.append(PASSWORD_CHARS.charAt(secure.nextInt(PASSWORD_CHARS.length())));
        }
        return sb.toString();
    }

    /** The JSON body, an empty object when there is none, or null when it is not a JSON object. */
    private static JsonObject body(RoutingContext ctx) {
        try {
            if (!ctx.body().available() || ctx.body().length() == 0) {
                return new JsonObject();
            }
            return ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Integer integer(JsonObject b, String key) {
        Object v = b == null ? null : b.getValue(key);
        if (v instanceof Number n) {
            return n.intValue();
        }
        return v instanceof String s ? parseInt(s) : null;
    }

    private static Double number(JsonObject b, String key) {
        Object v = b.getValue(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return v instanceof String s ? Double.parseDouble(s.trim()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer queryInt(RoutingContext ctx, String name) {
        return parseInt(ctx.request().getParam(name));
    }

    private static Integer parseInt(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
