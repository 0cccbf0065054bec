package io.gpubroker.sim.rackrr;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

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

    private static final Pattern KEY = Pattern.compile(
            "^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+( .*)?$");
    private static final String LOCALHOST = "127.0.0.1";

    private final Fields fields;
    private final RackrrCatalog catalog;
    private final Wallet wallet;
    /** VMs waiting in {@code scheduled} for capacity, oldest first. */
    private final List<RackrrVm> waiting = new ArrayList<>();

    private final String provisioning;
    private final String terminated;
    private final String failed;
    private final String hostOffline;
    private final String sshUser;
    private final int provisionStatus;
    private final int noCapacityStatus;
    private final String noCapacityMessage;
    private final int insufficientFundsStatus;
    private final boolean terminateEnvelope;
    private final double stoppedBillingFraction;
    private final int rateLimitPerMinute;
    private final boolean rateLimitRetryAfter;
    private final String readOnlyKey;

    private long windowStartNanos = System.nanoTime();
    private int windowCount;

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
        this.noCapacityMessage = config.get("rackrr.no-capacity-message",
                "No available resources for the requested GPU configuration. Please try again later.");
        this.insufficientFundsStatus = config.getInt("rackrr.insufficient-funds-status", 402);
        this.terminateEnvelope = !"vm".equals(config.get("rackrr.terminate-response", "envelope"));
        this.stoppedBillingFraction = config.getDouble("rackrr.stopped-billing-fraction", 0.1);
        this.rateLimitPerMinute = config.getInt("rackrr.rate-limit-per-minute", 0);
        this.rateLimitRetryAfter = config.getBool("rackrr.rate-limit-retry-after", true);
        this.readOnlyKey = config.get("rackrr.readonly-api-key", null);
        this.wallet = new Wallet(BigDecimal.valueOf(config.getDouble("rackrr.wallet.initial-balance", 1000)), this::newId);
        wallet.reset(clock.now());
    }

    @Override
    public String basePath() {
        return "/v1";
    }

    @Override
    protected void configureApi(Router router) {
        route(router, HttpMethod.GET, "/vms/available", "offers", false, this::offers);
        route(router, HttpMethod.GET, "/vms", "list", false, this::list);
        route(router, HttpMethod.POST, "/vms/provision", "create", true, this::provision);
        route(router, HttpMethod.GET, "/vms/:id", "get", false, ctx -> json(ctx, 200, view(find(ctx))));
        route(router, HttpMethod.POST, "/vms/:id/start", "start", true, this::start);
        route(router, HttpMethod.POST, "/vms/:id/stop", "stop", true, this::stop);
        route(router, HttpMethod.POST, "/vms/:id/terminate", "destroy", true, this::terminate);
        route(router, HttpMethod.GET, "/wallets/balance", "balance", false, this::balance);
        route(router, HttpMethod.GET, "/wallets/transactions", "transactions", false, this::transactions);
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
        error(ctx, 401, h == null || h.isBlank() ? "Unauthorized: missing API token" : "Unauthorized: invalid API token");
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
        return readOnlyKey != null && ("Bearer " + readOnlyKey).equals(ctx.request().getHeader("Authorization"));
    }

    /** {@link #api} plus the configurable rate limit, read-only keys and {@link ApiError} mapping. */
    private void route(Router router, HttpMethod method, String path, String op, boolean write,
                       Handler<RoutingContext> handler) {
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

    // ---- offers ----------------------------------------------------------------------------

    private void offers(RoutingContext ctx) {
        String gpu = ctx.queryParams().get("gpu_model");
        String location = ctx.queryParams().get("location");
        String available = ctx.queryParams().get("available");
        Predicate<RackrrOffer> filter = null;
        if (gpu != null || location != null || available != null) {
            filter = o -> (gpu == null || o.gpuModel.equalsIgnoreCase(gpu))
                    && (location == null || o.seed.country().equalsIgnoreCase(location)
                        || o.seed.location().equalsIgnoreCase(location))
                    && (available == null || o.listedAvailable == Boolean.parseBoolean(available));
        }
        json(ctx, 200, catalog.listing(filter));
    }

    // ---- VMs ----------------------------------------------------------------------------------

    private void provision(RoutingContext ctx) {
        JsonObject b = body(ctx);
        String providerId = str(b, "provider_id");
        String providerRef = str(b, "provider_ref");
        String gpuModel = str(b, "gpu_model");
        int gpuCount = integer(b, "gpu_count");
        int vcpus = integer(b, "vcpus");
        int ram = integer(b, "ram");
        int storage = integer(b, "storage");
        String name = str(b, "user_provided_name");
        String key = str(b, "ssh_public_key");
        if (vcpus % 2 != 0 || ram % 2 != 0) {
            throw new ApiError(400, "vcpus and ram must be even numbers");
        }
        if (!isOpenSshKey(key)) {
            throw new ApiError(400, "ssh_public_key must be an OpenSSH public key (e.g. ssh-ed25519 AAAA...)");
        }
        RackrrOffer offer = catalog.byRef(providerRef);
        if (offer == null || !offer.upstream.id().equals(providerId)) {
            throw new ApiError(404, "Provider not found");
        }
        if (!offer.gpuModel.equals(gpuModel)) {
            throw new ApiError(400, "GPU model " + gpuModel + " is not offered by this provider");
        }
        if (offer.fixedSpec && (gpuCount != offer.gpuCount || vcpus != offer.vcpus || ram != offer.ram
                || storage != offer.storage)) {
            throw new ApiError(400, "This VM is a fixed-spec bundle: gpu_count, vcpus, ram and storage cannot be customised");
        }
        checkRange("gpu_count", gpuCount, 1, offer.gpuCount);
        checkRange("vcpus", vcpus, 2, offer.maxVcpus);
        checkRange("ram", ram, 2, offer.maxRam);
        checkRange("storage", storage, 10, offer.maxStorage);
        double price = offer.priceFor(gpuCount);
        if (wallet.balance(instances.values(), now()).doubleValue() < price) {
            throw new ApiError(insufficientFundsStatus, "Insufficient wallet balance. Please top up your wallet.");
        }
        RackrrVm vm = new RackrrVm(newId(), name, provisioning, BigDecimal.valueOf(price), now(), offer,
                gpuCount, vcpus, ram, storage, key);
        boolean placed = acquire(vm);
        if (!placed && offer.kind() != RackrrOffer.Kind.SCHEDULED) {
            throw new ApiError(noCapacityStatus, noCapacityMessage);
        }
        takeInstanceFault(vm);
        instances.put(vm.id, vm);
        if (placed) {
            beginProvisioning(vm);
        } else {
            setStatus(vm, SCHEDULED);
            waiting.add(vm);
        }
        json(ctx, provisionStatus, view(vm));
    }

    private void list(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SimInstance i : instances.values()) {
            if (i instanceof RackrrVm vm && visible(vm)) {
                out.add(view(vm));
            }
        }
        json(ctx, 200, out);
    }

    private void start(RoutingContext ctx) {
        RackrrVm vm = find(ctx);
        if (!STOPPED.equals(vm.state)) {
            throw new ApiError(400, "VM must be in a stopped state to start (current status: " + vm.state + ")");
        }
        if (acquire(vm)) {
            beginStarting(vm);
        } else if (vm.offer.kind() == RackrrOffer.Kind.SCHEDULED) {
            setStatus(vm, SCHEDULED);
            waiting.add(vm);
        } else {
            throw new ApiError(noCapacityStatus, noCapacityMessage);
        }
        json(ctx, 200, view(vm));
    }

    private void stop(RoutingContext ctx) {
        RackrrVm vm = find(ctx);
        if (SCHEDULED.equals(vm.state)) {
            // documented: stopping a scheduled VM cancels the scheduled start
            waiting.remove(vm);
            setStatus(vm, STOPPED);
        } else if (RUNNING.equals(vm.state) || hostOffline.equals(vm.state)) {
            setStatus(vm, STOPPING);
            closeSsh(vm);
            later(vm, timing("stopping", Duration.ofSeconds(10)), () -> finishStop(vm));
        } else {
            throw new ApiError(400, "VM cannot be stopped in its current status: " + vm.state);
        }
        json(ctx, 200, view(vm));
    }

    private void terminate(RoutingContext ctx) {
        RackrrVm vm = find(ctx);
        if (vm.terminatedAt == null) {
            setStatus(vm, terminated);
            vm.terminatedAt = now();
            vm.ipAddress = null;
            vm.sshPort = null;
            waiting.remove(vm);
            markDestroyed(vm);
            wallet.debit(vm, now());
            release(vm);
        }
        if (terminateEnvelope) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "VM terminated");
            fields.put(m, "vm", view(vm));
            json(ctx, 200, m);
        } else {
            json(ctx, 200, view(vm));
        }
    }

    private RackrrVm find(RoutingContext ctx) {
        if (instances.get(ctx.pathParam("id")) instanceof RackrrVm vm && visible(vm)) {
            return vm;
        }
        throw new ApiError(404, "VM not found");
    }

    /** Terminated VMs stay listed with their terminal status for {@code rackrr.terminated-retention}. */
    private boolean visible(RackrrVm vm) {
        return vm.terminatedAt == null
                || now().isBefore(vm.terminatedAt.plus(timing("terminated-retention", Duration.ofHours(1))));
    }

    // ---- wallet ---------------------------------------------------------------------------

    private void balance(RoutingContext ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        fields.put(m, "balance", wallet.balance(instances.values(), now()));
        fields.put(m, "currency", "USD");
        fields.put(m, "updated_at", iso(now()));
        json(ctx, 200, m);
    }

    private void transactions(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Wallet.Transaction t : wallet.transactions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            fields.put(m, "id", t.id());
            fields.put(m, "amount", t.amount());
            fields.put(m, "type", t.type());
            fields.put(m, "description", t.description());
            fields.put(m, "vm_id", t.vmId());
            fields.put(m, "currency", "USD");
            fields.put(m, "created_at", iso(t.createdAt()));
            out.add(m);
        }
        json(ctx, 200, out);
    }

    // ---- state machine -------------------------------------------------------------------------

    private void beginProvisioning(RackrrVm vm) {
        setStatus(vm, provisioning);
        if (!"stuck".equals(vm.fault)) {
            later(vm, timing("provisioning", Duration.ofSeconds(15)), () -> beginStarting(vm));
        }
    }

    private void beginStarting(RackrrVm vm) {
        setStatus(vm, STARTING);
        if (!"stuck".equals(vm.fault)) {
            later(vm, timing("boot", Duration.ofSeconds(45)), () -> becomeRunning(vm));
        }
    }

    /** Connection details appear, and billing starts, only once the VM's SSH server is up. */
    private void becomeRunning(RackrrVm vm) {
        int epoch = vm.epoch;
        openSsh(vm, sshUser, host -> {
            if (!current(vm) || vm.epoch != epoch) {
                closeSsh(vm);
                return;
            }
            host.authorize(vm.sshPublicKey);
            vm.ipAddress = LOCALHOST;
            vm.sshPort = host.port();
            setStatus(vm, RUNNING);
            vm.bill(now(), 1.0);
            if ("dies".equals(vm.fault)) {
                later(vm, timing("dies-after", Duration.ofSeconds(60)), () -> die(vm));
            }
        });
    }

    private void finishStop(RackrrVm vm) {
        setStatus(vm, STOPPED);
        vm.ipAddress = null;
        vm.sshPort = null;
        boolean dedicated = vm.offer.kind() == RackrrOffer.Kind.DEDICATED;
        if (dedicated && stoppedBillingFraction > 0) {
            vm.bill(now(), stoppedBillingFraction);
        } else {
            vm.stopBilling(now());
        }
        if (!dedicated) {
            release(vm);
        }
    }

    private void die(RackrrVm vm) {
        setStatus(vm, failed);
        closeSsh(vm);
        vm.stopBilling(now());
        wallet.debit(vm, now());
        release(vm);
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        RackrrVm vm = (RackrrVm) instance;
        switch (kind) {
            case "dies" -> die(vm);
            case "host_offline" -> {
                // the upstream still bills an unreachable VM until it is terminated
                setStatus(vm, hostOffline);
                closeSsh(vm);
            }
            default -> throw new IllegalArgumentException("unknown state fault for rackrr: " + kind
                    + " (supported: dies, host_offline)");
        }
    }

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        String ref = body.getString("provider_ref");
        RackrrOffer offer = ref != null ? catalog.byRef(ref) : null;
        if (offer == null) {
            offer = catalog.all().stream()
                    .filter(o -> o.kind() == RackrrOffer.Kind.DEDICATED && o.hasRoomFor(o.gpuCount))
                    .findFirst().orElse(catalog.all().get(0));
        }
        String key = body.getString("ssh_public_key");
        String usableKey = key != null && isOpenSshKey(key) ? key : null;
        RackrrVm vm = new RackrrVm(newId(), tag, RUNNING, BigDecimal.valueOf(offer.priceFor(offer.gpuCount)), now(),
                offer, offer.gpuCount, offer.vcpus, offer.ram, offer.storage, usableKey);
        acquire(vm);
        instances.put(vm.id, vm);
        setStatus(vm, RUNNING);
        vm.bill(now(), 1.0);
        int epoch = vm.epoch;
        openSsh(vm, sshUser, host -> {
            if (!current(vm) || vm.epoch != epoch) {
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

    private void setStatus(RackrrVm vm, String status) {
        vm.state = status;
        vm.updatedAt = now();
        vm.epoch++;
    }

    /** Runs {@code step} after a simulated delay unless the VM moved on (or was reset) meanwhile. */
    private void later(RackrrVm vm, Duration delay, Runnable step) {
        int epoch = vm.epoch;
        after(delay, () -> {
            if (current(vm) && vm.epoch == epoch) {
                step.run();
            }
        });
    }

    /** False once terminated, and for VMs dropped by {@code /_sim/reset} (core does not mark those destroyed). */
    private boolean current(RackrrVm vm) {
        return !vm.destroyed && instances.get(vm.id) == vm;
    }

    // ---- capacity ----------------------------------------------------------------------------

    private boolean acquire(RackrrVm vm) {
        if (vm.heldGpus > 0) {
            return true;
        }
        if (!vm.offer.hasRoomFor(vm.gpuCount)) {
            return false;
        }
        vm.offer.freeGpus -= vm.gpuCount;
        vm.heldGpus = vm.gpuCount;
        return true;
    }

    private void release(RackrrVm vm) {
        if (vm.heldGpus > 0) {
            vm.offer.freeGpus += vm.heldGpus;
            vm.heldGpus = 0;
            promoteScheduled(vm.offer);
        }
    }

    /** Scheduled VMs start by themselves, oldest first, as soon as their offer has room again. */
    private void promoteScheduled(RackrrOffer offer) {
        for (Iterator<RackrrVm> it = waiting.iterator(); it.hasNext();) {
            RackrrVm vm = it.next();
            if (vm.offer != offer) {
                continue;
            }
            if (!current(vm) || !SCHEDULED.equals(vm.state)) {
                it.remove();
                continue;
            }
            if (!acquire(vm)) {
                return;
            }
            it.remove();
            beginStarting(vm);
        }
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
        router.post("/_sim/offers/refresh").handler(ctx -> {
            catalog.refreshSnapshot();
            json(ctx, 200, Map.of("refreshed", true));
        });
        router.post("/_sim/prices/drift").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            int steps = b == null ? 1 : b.getInteger("steps", 1);
            for (int i = 0; i < steps; i++) {
                catalog.driftPrices();
            }
            json(ctx, 200, Map.of("steps", steps));
        });
        router.get("/_sim/offers/:ref").handler(ctx -> withOffer(ctx, o -> json(ctx, 200, offerControlView(o))));
        router.post("/_sim/offers/:ref/gone").handler(ctx -> withOffer(ctx, o -> {
            o.freeGpus = 0;
            json(ctx, 200, offerControlView(o));
        }));
        router.post("/_sim/offers/:ref/capacity").handler(ctx -> withOffer(ctx, o -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            Integer free = b == null ? null : b.getInteger("free_gpus");
            if (free == null || free < 0) {
                json(ctx, 400, Map.of("error", "free_gpus (>= 0) is required"));
                return;
            }
            o.freeGpus = free;
            promoteScheduled(o);
            json(ctx, 200, offerControlView(o));
        }));
        router.post("/_sim/wallet").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            Double target = b == null ? null : b.getDouble("balance");
            if (target == null) {
                json(ctx, 400, Map.of("error", "balance is required"));
                return;
            }
            wallet.adjust(BigDecimal.valueOf(target).subtract(wallet.balance(instances.values(), now())), now());
            json(ctx, 200, Map.of("balance", wallet.balance(instances.values(), now())));
        });
    }

    private void withOffer(RoutingContext ctx, java.util.function.Consumer<RackrrOffer> action) {
        RackrrOffer o = catalog.byRef(ctx.pathParam("ref"));
        if (o == null) {
            json(ctx, 404, Map.of("error", "no offer with provider_ref " + ctx.pathParam("ref")));
            return;
        }
        action.accept(o);
    }

    private static Map<String, Object> offerControlView(RackrrOffer o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider_ref", o.providerRef);
        m.put("gpu_model", o.gpuModel);
        m.put("vm_type", o.kind().name().toLowerCase());
        m.put("fixed_spec", o.fixedSpec);
        m.put("price_per_hour", o.price);
        m.put("listed_price_per_hour", o.listedPrice);
        m.put("free_gpus", o.freeGpus);
        m.put("total_gpus", o.totalGpus);
        m.put("listed_available", o.listedAvailable);
        return m;
    }

    // ---- views and helpers ---------------------------------------------------------------------

    /** The VM object (field names GUESSED; see {@link Fields}). */
    private Map<String, Object> view(RackrrVm vm) {
        RackrrOffer o = vm.offer;
        Map<String, Object> m = new LinkedHashMap<>();
        fields.put(m, "id", vm.id);
        fields.put(m, "user_provided_name", vm.tag);
        fields.put(m, "status", vm.state);
        fields.put(m, "provider_id", o.upstream.id());
        fields.put(m, "provider_ref", o.providerRef);
        fields.put(m, "provider_name", o.upstream.name());
        fields.put(m, "gpu_model", o.gpuModel);
        fields.put(m, "gpu_name", o.gpuName);
        fields.put(m, "gpu_count", vm.gpuCount);
        fields.put(m, "vcpus", vm.vcpus);
        fields.put(m, "ram", vm.ram);
        fields.put(m, "storage", vm.storage);
        fields.put(m, "price_per_hour", vm.pricePerHour);
        fields.put(m, "currency", "USD");
        fields.put(m, "location", o.seed.country());
        Map<String, Object> notes = o.notes();
        if (notes != null) {
            fields.put(m, "notes", notes);
        }
        fields.put(m, "ip_address", vm.ipAddress);
        fields.put(m, "ssh_port", vm.sshPort);
        fields.put(m, "ssh_user", sshUser);
        Map<String, Object> usage = new LinkedHashMap<>();
        fields.put(usage, "total_cost", vm.accrued(now()));
        fields.put(usage, "currency", "USD");
        fields.put(m, "usage", usage);
        fields.put(m, "created_at", iso(vm.createdAt));
        fields.put(m, "updated_at", iso(vm.updatedAt));
        return m;
    }

    private String newId() {
        return String.format("%08x%016x", clock.now().getEpochSecond(), idRandom.nextLong());
    }

    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static boolean isOpenSshKey(String line) {
        if (!KEY.matcher(line.trim()).matches()) {
            return false;
        }
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.trim())
                    .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING) != null;
        } catch (Exception e) {
            return false;
        }
    }

    private static void checkRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ApiError(400, field + " must be between " + min + " and " + max + " for this VM");
        }
    }

    private static JsonObject body(RoutingContext ctx) {
        JsonObject b;
        try {
            b = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            throw new ApiError(400, "Invalid JSON in request body");
        }
        if (b == null) {
            throw new ApiError(400, "Request body is required");
        }
        return b;
    }

    private static String str(JsonObject b, String field) {
        Object v = b.getValue(field);
        if (v == null || v instanceof String s && s.isBlank()) {
            throw new ApiError(400, field + " is required");
        }
        if (!(v instanceof String s)) {
            throw new ApiError(400, field + " must be a string");
        }
        return s;
    }

    private static int integer(JsonObject b, String field) {
        Object v = b.getValue(field);
        if (v == null) {
            throw new ApiError(400, field + " is required");
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new ApiError(400, field + " must be an integer");
        }
        return n.intValue();
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
