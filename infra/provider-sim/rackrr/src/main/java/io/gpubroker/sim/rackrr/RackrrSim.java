package io.gpubroker.sim.rackrr;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Rackrr (GPU VM aggregator) simulator: {@code https://api.rackrr.ai/v1} on localhost with
 * Bearer auth, the {@code {"message": ...}} error shape, dedicated / shared (no queue) /
 * scheduled VM types, a wallet that is the billing truth and a real SSH server per running VM
 * that accepts the key sent in {@code ssh_public_key}. Response field names and several status
 * names are GUESSED upstream and therefore configurable ({@code rackrr.field.*}, {@code rackrr.status.*}).
 */
public final class RackrrSim extends ProviderSim {

    static final String SCHEDULED = "scheduled";
    static final String STARTING = "starting";
    static final String RUNNING = "running";
    static final String STOPPING = "stopping";
    static final String STOPPED = "stopped";

    static final String LOCALHOST = "127.0.0.1";

    final Fields fields;
    final RackrrCatalog catalog;
    final Wallet wallet;
    /** VMs waiting in {@code scheduled} for capacity, oldest first. */
    final List<RackrrVm> waiting = new ArrayList<>();

    final String provisioning;
    final String terminated;
    final String failed;
    final String hostOffline;
    final String sshUser;
    final int provisionStatus;
    final int noCapacityStatus;
    final String noCapacityMessage;
    final int insufficientFundsStatus;
    final boolean terminateEnvelope;
    final double stoppedBillingFraction;
    private final int rateLimitPerMinute;
    private final boolean rateLimitRetryAfter;
    private final String readOnlyKey;

    private long windowStartNanos = System.nanoTime();
    private int windowCount;

    final RackrrLifecycle lifecycle = new RackrrLifecycle(this);
    final RackrrViews views = new RackrrViews(this);
    private final RackrrOfferRoutes offerRoutes = new RackrrOfferRoutes(this);
    private final RackrrVmRoutes vmRoutes = new RackrrVmRoutes(this);
    private final RackrrWalletRoutes walletRoutes = new RackrrWalletRoutes(this);
    private final RackrrControlRoutes controlRoutes = new RackrrControlRoutes(this);

    public RackrrSim(SimConfig config, SimClock clock) {
        super("rackrr", config, clock);
        this.fields = new Fields(config);
        this.catalog = new RackrrCatalog(config, fields);
        this.provisioning = config.get("rackrr.status.provisioning", "provisioning");
        this.terminated = config.get("rackrr.status.terminated", "terminated");
        this.failed = config.get("rackrr.status.failed", "failed");
        this.hostOffline = config.get("rackrr.status.host-offline", "error");
        this.sshUser = config.get("rackrr.ssh-user", "user");
        this.provisionStatus = config.getInt("rackrr.provision-status", 201);
        this.noCapacityStatus = config.getInt("rackrr.no-capacity-status", 409);
        this.noCapacityMessage = config.get(
                "rackrr.no-capacity-message",
                "No available resources for the requested GPU configuration. Please try again later.");
        this.insufficientFundsStatus = config.getInt("rackrr.insufficient-funds-status", 402);
        this.terminateEnvelope = !"vm".equals(config.get("rackrr.terminate-response", "envelope"));
        this.stoppedBillingFraction = config.getDouble("rackrr.stopped-billing-fraction", 0.1);
        this.rateLimitPerMinute = config.getInt("rackrr.rate-limit-per-minute", 0);
        this.rateLimitRetryAfter = config.getBool("rackrr.rate-limit-retry-after", true);
        this.readOnlyKey = config.get("rackrr.readonly-api-key", null);
        this.wallet =
                new Wallet(BigDecimal.valueOf(config.getDouble("rackrr.wallet.initial-balance", 1000)), this::newId);
        wallet.reset(clock.now());
    }

    @Override
    public String basePath() {
        return "/v1";
    }

    @Override
    protected void configureApi(Router router) {
        route(router, HttpMethod.GET, "/vms/available", "offers", false, offerRoutes::offers);
        route(router, HttpMethod.GET, "/vms", "list", false, vmRoutes::list);
        route(router, HttpMethod.POST, "/vms/provision", "create", true, vmRoutes::provision);
        route(router, HttpMethod.GET, "/vms/:id", "get", false, ctx -> json(ctx, 200, views.view(vmRoutes.find(ctx))));
        route(router, HttpMethod.POST, "/vms/:id/start", "start", true, vmRoutes::start);
        route(router, HttpMethod.POST, "/vms/:id/stop", "stop", true, vmRoutes::stop);
        route(router, HttpMethod.POST, "/vms/:id/terminate", "destroy", true, vmRoutes::terminate);
        route(router, HttpMethod.GET, "/wallets/balance", "balance", false, walletRoutes::balance);
        route(router, HttpMethod.GET, "/wallets/transactions", "transactions", false, walletRoutes::transactions);
        startTimers();
    }

    // ---- errors and auth, the provider's way -------------------------------------------------

    @Override
    protected void error(RoutingContext ctx, int status, String message) {
        if (!ctx.response().ended()) {
            json(ctx, status, Map.of("message", message));
        }
    }

    @Override
    protected void unauthorized(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        error(
                ctx,
                401,
                h == null || h.isBlank() ? "Unauthorized: missing API token" : "Unauthorized: invalid API token");
    }

    @Override
    protected boolean authorized(RoutingContext ctx) {
        return super.authorized(ctx) || readOnly(ctx);
    }

    /** Rackrr documents no "error inside 200"; the simulated variant is a 200 carrying only {"message"}. */
    @Override
    protected void error200(RoutingContext ctx, String message) {
        json(ctx, 200, Map.of("message", message));
    }

    @Override
    protected void rateLimited(RoutingContext ctx, Integer retryAfterSeconds) {
        if (retryAfterSeconds != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        error(ctx, 429, "Too many requests. Please try again later.");
    }

    private boolean readOnly(RoutingContext ctx) {
        return readOnlyKey != null
                && ("Bearer " + readOnlyKey).equals(ctx.request().getHeader("Authorization"));
    }

    /** {@link #api} plus the configurable rate limit, read-only keys and {@link ApiError} mapping. */
    private void route(
            Router router, HttpMethod method, String path, String op, boolean write, Handler<RoutingContext> handler) {
        api(router, method, basePath() + path, op, ctx -> {
            if (rateLimitPerMinute > 0 && !admit()) {
                rateLimited(ctx, rateLimitRetryAfter ? secondsLeftInWindow() : null);
                return;
            }
            if (write && readOnly(ctx)) {
                error(ctx, 403, "Forbidden: insufficient permissions");
                return;
            }
            try {
                handler.handle(ctx);
            } catch (ApiError e) {
                error(ctx, e.status, e.getMessage());
            }
        });
    }

    private boolean admit() {
        long now = System.nanoTime();
        if (now - windowStartNanos >= 60_000_000_000L) {
            windowStartNanos = now;
            windowCount = 0;
        }
        return ++windowCount <= rateLimitPerMinute;
    }

    private int secondsLeftInWindow() {
        long left = 60_000_000_000L - (System.nanoTime() - windowStartNanos);
        return (int) Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }
    // ---- VMs, state faults, orphans -------------------------------------------------------------

    void register(RackrrVm vm) {
        instances.put(vm.id, vm);
    }

    SimInstance byId(String id) {
        return instances.get(id);
    }

    /** Every VM since the last reset, terminated ones included (the wallet bills them all). */
    Collection<SimInstance> vms() {
        return instances.values();
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        RackrrVm vm = (RackrrVm) instance;
        switch (kind) {
            case "dies" -> lifecycle.die(vm);
            case "host_offline" -> {
                // the upstream still bills an unreachable VM until it is terminated
                lifecycle.setStatus(vm, hostOffline);
                closeSsh(vm);
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown state fault for rackrr: " + kind + " (supported: dies, host_offline)");
        }
    }

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        String ref = body.getString("provider_ref");
        RackrrOffer offer = ref != null ? catalog.byRef(ref) : null;
        if (offer == null) {
            offer = catalog.all().stream()
                    .filter(o -> o.kind() == RackrrOffer.Kind.DEDICATED && o.hasRoomFor(o.gpuCount))
                    .findFirst()
                    .orElse(catalog.all().get(0));
        }
        String key = body.getString("ssh_public_key");
        String usableKey = key != null && RackrrRequests.isOpenSshKey(key) ? key : null;
        RackrrVm vm = new RackrrVm(
                newId(),
                tag,
                RUNNING,
                BigDecimal.valueOf(offer.priceFor(offer.gpuCount)),
                now(),
                offer,
                offer.gpuCount,
                offer.vcpus,
                offer.ram,
                offer.storage,
                usableKey);
        lifecycle.acquire(vm);
        instances.put(vm.id, vm);
        lifecycle.setStatus(vm, RUNNING);
        vm.bill(now(), 1.0);
        int epoch = vm.epoch;
        openSsh(vm, sshUser, host -> {
            if (!lifecycle.current(vm) || vm.epoch != epoch) {
                closeSsh(vm);
                return;
            }
            if (usableKey != null) {
                host.authorize(usableKey);
            }
            vm.ipAddress = LOCALHOST;
            vm.sshPort = host.port();
        });
        return vm;
    }

    // ---- timers, reset, control --------------------------------------------------------------

    private void startTimers() {
        every(timing("snapshot-refresh", Duration.ofSeconds(60)), catalog::refreshSnapshot);
        every(timing("price-drift-interval", Duration.ofMinutes(5)), catalog::driftPrices);
        every(timing("wallet.debit-interval", Duration.ofHours(1)), this::debitAll);
    }

    private void every(Duration simulated, Runnable action) {
        if (simulated.isZero() || simulated.isNegative()) {
            return;
        }
        vx().setPeriodic(clock.realMillis(simulated), id -> action.run());
    }

    private void debitAll() {
        Instant now = now();
        for (SimInstance i : instances.values()) {
            if (i instanceof RackrrVm vm) {
                wallet.debit(vm, now);
            }
        }
    }

    @Override
    protected void resetProviderState() {
        waiting.clear();
        catalog.reset();
        wallet.reset(now());
        windowCount = 0;
        windowStartNanos = System.nanoTime();
    }

    @Override
    protected void configureControl(Router router) {
        controlRoutes.register(router);
    }

    String newId() {
        return String.format("%08x%016x", clock.now().getEpochSecond(), idRandom.nextLong());
    }

    /** A request the provider refuses: answered as {@code {"message": ...}} with {@code status}. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
