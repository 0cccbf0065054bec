package io.gpubroker.sim.trooper;

import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.RisingIds;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Trooper.ai simulator: the beta REST API under {@code /api} on {@code james.trooper.ai}
 * (Bearer auth, public blibs/templates/test), price-echo ordering, desired vs current status,
 * password SSH (the broker installs its own key), 35 % billing while stopped, and the GUESSED
 * terminate action. See the module README for op names, config keys and control endpoints.
 */
public final class TrooperSim extends ProviderSim {

    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Set<String> PUBLIC_PATHS = Set.of("/api/test", "/api/blibs", "/api/templates");
    private static final String AUTH_ERROR = "Missing or invalid Authorization header";
    static final String NOT_FOUND = "Access denied or server not found";
    static final String LOCKED = "Server is locked and cannot be modified";
    private static final String PASSWORD_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    final TrooperSettings settings;
    final BlibCatalog catalog;
    /** Orders by serverId (management calls) and by order_id (history, templates, migration). */
    final Map<Integer, Order> byServerId = new LinkedHashMap<>();

    final Map<Integer, Order> byOrderId = new HashMap<>();
    final Map<Order, TrooperLifecycle.SshState> sshState = new HashMap<>();
    private final SecureRandom secure = new SecureRandom();
    private final RisingIds orderIds;
    private int nextInstallId = 1;
    private long secondWindow;
    private int secondCount;
    private long minuteWindow;
    private int minuteCount;

    final TrooperLifecycle lifecycle = new TrooperLifecycle(this);
    final TrooperTemplateRoutes templateRoutes = new TrooperTemplateRoutes(this);
    private final TrooperOrderRoutes orderRoutes = new TrooperOrderRoutes(this);
    private final TrooperStatusRoutes statusRoutes = new TrooperStatusRoutes(this);
    private final TrooperServerRoutes serverRoutes = new TrooperServerRoutes(this);
    private final TrooperMigrationRoutes migrationRoutes = new TrooperMigrationRoutes(this);
    private final TrooperControlRoutes controlRoutes = new TrooperControlRoutes(this);

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
        route(
                router,
                HttpMethod.GET,
                "/api/blibs",
                "offers",
                ctx -> json(
                        ctx,
                        200,
                        catalog.render(
                                super.authorized(ctx) ? BlibCatalog.Variant.ALL : BlibCatalog.Variant.PUBLIC, now())));
        route(
                router,
                HttpMethod.GET,
                "/api/blibs-private",
                "offers_private",
                ctx -> json(ctx, 200, catalog.render(BlibCatalog.Variant.PRIVATE, now())));
        route(router, HttpMethod.POST, "/api/order", "create", orderRoutes::order);
        route(router, HttpMethod.GET, "/api/orders", "list", orderRoutes::orders);
        route(router, HttpMethod.POST, "/api/order-status", "order_status", statusRoutes::orderStatus);
        route(router, HttpMethod.POST, "/api/order-title", "title", serverRoutes::title);
        route(router, HttpMethod.POST, "/api/order-lock", "lock", serverRoutes::lock);
        route(router, HttpMethod.POST, "/api/credentials", "credentials", serverRoutes::credentials);
        route(router, HttpMethod.GET, "/api/order-status-history", "history", serverRoutes::history);
        route(
                router,
                HttpMethod.GET,
                "/api/templates",
                "templates",
                ctx -> json(ctx, 200, TrooperTemplateRoutes.TEMPLATES));
        route(router, HttpMethod.GET, "/api/template-config", "template_config", templateRoutes::templateConfig);
        route(router, HttpMethod.POST, "/api/template-install-add", "template_install", templateRoutes::templateAdd);
        route(
                router,
                HttpMethod.POST,
                "/api/template-install-delete",
                "template_delete",
                templateRoutes::templateDelete);
        route(router, HttpMethod.POST, "/api/template-install-retry", "template_retry", templateRoutes::templateRetry);
        route(router, HttpMethod.GET, "/api/migration-options", "migration_options", migrationRoutes::migrationOptions);
        route(router, HttpMethod.POST, "/api/migration-cost", "migration_cost", migrationRoutes::migrationCost);
        route(router, HttpMethod.POST, "/api/buy-migration", "buy_migration", migrationRoutes::buyMigration);
        if (!settings.budgetPath.isEmpty()) {
            route(router, HttpMethod.GET, settings.budgetPath, "balance", ctx -> json(ctx, 200, budgetView()));
        }
        router.route()
                .failureHandler(
                        ctx -> error(ctx, ctx.statusCode() >= 400 ? ctx.statusCode() : 500, "Internal server error"));
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
    // ---- orders, state faults, budget --------------------------------------------------------

    Order newOrder(Blib blib, String interval, String status) {
        int orderId = orderIds.nextInt();
        Order o = new Order(
                orderId,
                orderId + settings.serverIdOffset,
                blib,
                interval,
                status,
                BigDecimal.valueOf(blib.priceH),
                now(),
                newPassword());
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
        sshState.put(o, new TrooperLifecycle.SshState());
        return o;
    }

    int takeInstallId() {
        return nextInstallId++;
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        Order o = (Order) instance;
        switch (kind) {
            case "dies" -> lifecycle.die(o);
            case "host_offline" -> {
                int gen = ++o.generation;
                o.state = settings.statusHostOffline;
                lifecycle.wantSsh(o, false);
                Duration recovery = timing("host-offline-recovery", Duration.ZERO);
                if (!recovery.isZero()) {
                    after(recovery, () -> lifecycle.toRunning(o, gen));
                }
            }
            default -> throw new IllegalArgumentException("unknown state fault for trooper: " + kind);
        }
    }

    /** Applies a fault rule named after the action ({@code start}, {@code stop}, {@code destroy}, ...). */
    void withActionFault(RoutingContext ctx, String op, Runnable proceed) {
        // only rules naming the action: a "*" rule already had its chance on the route itself
        boolean named = faults.list().stream().anyMatch(r -> r.instanceFault() == null && op.equals(r.op()));
        withFault(ctx, named ? faults.next(op) : Optional.empty(), proceed);
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

    BigDecimal budgetLeft() {
        return BigDecimal.valueOf(settings.budget).subtract(spent());
    }

    TrooperJson.Budget budgetView() {
        BigDecimal spent = spent();
        return new TrooperJson.Budget(
                true,
                BigDecimal.valueOf(settings.budget).subtract(spent).setScale(6, RoundingMode.HALF_UP),
                spent.setScale(6, RoundingMode.HALF_UP),
                "EUR");
    }

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        Integer blibId = TrooperRequests.integer(body, "blib_id");
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
        lifecycle.wantSsh(o, true);
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
        controlRoutes.register(router);
    }

    // ---- small helpers ------------------------------------------------------------------------

    static String iso(Instant t) {
        return ISO.format(t);
    }

    String newPassword() {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            sb.append(PASSWORD_CHARS.charAt(secure.nextInt(PASSWORD_CHARS.length())));
        }
        return sb.toString();
    }
}
