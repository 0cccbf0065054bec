package io.gpubroker.sim.tensordock;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.gpubroker.sim.core.SshHost;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

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

    private static final String NO_NODES = "No available nodes found";
    private static final String NO_IPS = "No available public IPs on hostnode";

    /** An uploaded secret ({@code SSHKEY}, {@code GENERIC} or {@code SECRET}). */
    private record Secret(String id, String name, String value, String type, Instant createdAt) {
    }

    private final Settings settings;
    private final Catalog catalog;
    private final Map<String, TdInstance> vms = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private final CreateRequest.Rules rules;
    private final double initialBalance;
    private RateLimiter rateLimiter;

    private final String stCreating;
    private final String stRunning;
    private final String stStarting;
    private final String stStopping;
    private final String stStopped;
    private final String stDisassociated;
    private final String stDeleting;
    private final String stDeleted;
    private final String stDies;
    private final String stHostOffline;

    public TensorDockSim(SimConfig config, SimClock clock) {
        super("tensordock", config, clock);
        this.settings = new Settings(config);
        this.catalog = new Catalog(config.getInt("seed", 42), config.getInt("tensordock.offers", 40),
                config.getDuration("tensordock.snapshot-refresh", Duration.ofSeconds(60)),
                config.getBool("tensordock.hostnodes-list-includes-ports", false),
                config.getDouble("tensordock.price-drift-pct", 0.01));
        this.rules = new CreateRequest.Rules(
                csv(config.get("tensordock.images", "ubuntu2404,ubuntu2204,ubuntu2004,debian12,debian11,windows10")),
                config.getInt("tensordock.min-storage-gb", 100),
                config.getInt("tensordock.name-max-length", 255),
                csv(config.get("tensordock.ram-steps", "")).stream().map(Integer::valueOf).collect(Collectors.toSet()));
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
            json(ctx, status, new TdJson.JsonApiErrors(List.of(
                    new TdJson.JsonApiError(String.valueOf(status), title(status), message))));
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
        api(router, HttpMethod.GET, b + "/locations", "offers",
                ctx -> json(ctx, 200, catalog.locationsJson(now())));
        api(router, HttpMethod.GET, b + "/hostnodes", "hostnodes", this::listHostnodes);
        api(router, HttpMethod.GET, b + "/hostnodes/:id", "hostnode", this::getHostnode);
        api(router, HttpMethod.POST, b + "/instances", "create", this::create);
        api(router, HttpMethod.GET, b + "/instances", "list", this::list);
        api(router, HttpMethod.GET, b + "/instances/:id", "get", this::get);
        api(router, HttpMethod.DELETE, b + "/instances/:id", "destroy", this::destroy);
        api(router, HttpMethod.POST, b + "/instances/:id/start", "start", this::start);
        api(router, HttpMethod.POST, b + "/instances/:id/stop", "stop", this::stop);
        api(router, HttpMethod.GET, b + "/secrets", "ssh_keys", this::listSecrets);
        api(router, HttpMethod.POST, b + "/secrets", "ssh_key", this::createSecret);
        api(router, HttpMethod.GET, b + "/secrets/:id", "ssh_key_get", this::getSecret);
        api(router, HttpMethod.DELETE, b + "/secrets/:id", "ssh_key_delete", this::deleteSecret);
        api(router, HttpMethod.POST, b + "/auth/test", "auth_test", ctx -> json(ctx, 200, new TdJson.AuthTest(true)));
        api(router, HttpMethod.GET, b + config.get("tensordock.balance-path", "/billing/balance"), "balance", this::balance);

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
        ctx.response().putHeader("X-RateLimit-Limit", String.valueOf(rateLimiter.limit()))
                .putHeader("X-RateLimit-Remaining", String.valueOf(rateLimiter.remaining()))
                .putHeader("X-RateLimit-Reset", String.valueOf(rateLimiter.secondsToReset()));
        if (ok) {
            ctx.next();
        } else {
            rateLimited(ctx, config.getBool("tensordock.rate-limit-retry-after", false) ? rateLimiter.secondsToReset() : null);
        }
    }

    // ------------------------------------------------------------------ catalog

    private void listHostnodes(RoutingContext ctx) {
        try {
            json(ctx, 200, catalog.hostnodesJson(now(), ctx.queryParams()));
        } catch (NumberFormatException e) {
            error(ctx, 400, "Invalid query parameter: " + e.getMessage());
        }
    }

    private void getHostnode(RoutingContext ctx) {
        TdJson.HostnodeBody body = catalog.hostnode(now(), ctx.pathParam("id"));
        if (body == null) {
            error(ctx, 404, "Hostnode not found");
        } else {
            json(ctx, 200, body);
        }
    }

    // ------------------------------------------------------------------ instances

    private void create(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().available() ? ctx.body().asJsonObject() : null;
        } catch (DecodeException | ClassCastException e) {
            json(ctx, 400, List.of(new TdJson.ValidationIssue("invalid_json", "Request body must be a JSON object", List.of())));
            return;
        }
        CreateRequest.Parsed parsed = CreateRequest.parse(body, rules);
        if (!parsed.issues().isEmpty()) {
            json(ctx, 400, parsed.issues());
            return;
        }
        CreateRequest req = parsed.request();
        String key = req.sshKey();
        if (req.sshKeyId() != null) {
            Secret s = secrets.get(req.sshKeyId());
            if (s == null || !s.type().equals("SSHKEY")) {
                json(ctx, 400, List.of(new TdJson.ValidationIssue("invalid", "SSH key not found",
                        List.of("data", "attributes", "ssh_key_id"))));
                return;
            }
            key = s.value();
        }
        if (balance() < config.getDouble("tensordock.min-balance", 1.0)) {
            error(ctx, 402, "Insufficient balance: at least $1.00 is required to deploy");
            return;
        }
        Hostnode node;
        if (req.hostnodeId() != null) {
            node = catalog.hostnodesById.get(req.hostnodeId());
            if (node == null) {
                json(ctx, 400, List.of(new TdJson.ValidationIssue("invalid", "Hostnode not found",
                        List.of("data", "attributes", "hostnode_id"))));
                return;
            }
            if (req.gpuCount() > 0 && !node.gpuName.v0Name().equals(req.v0Name())) {
                json(ctx, 400, List.of(new TdJson.ValidationIssue("invalid", "GPU model " + req.v0Name()
                        + " is not available on this hostnode", List.of("data", "attributes", "resources", "gpus"))));
                return;
            }
        } else if (!catalog.locationsById.containsKey(req.locationId())) {
            json(ctx, 400, List.of(new TdJson.ValidationIssue("invalid", "Location not found",
                    List.of("data", "attributes", "location_id"))));
            return;
        } else {
            node = null;
        }
        if (settings.staleCreateFailureRate > 0 && random.nextDouble() < settings.staleCreateFailureRate) {
            error200(ctx, NO_NODES);
            return;
        }
        String placementError = null;
        if (node != null) {
            placementError = fitError(node, req);
        } else {
            placementError = NO_NODES;
            for (Hostnode h : catalog.candidates(req.locationId(), req.v0Name())) {
                String err = fitError(h, req);
                if (err == null) {
                    node = h;
                    placementError = null;
                    break;
                }
                if (err.equals(NO_IPS)) {
                    placementError = NO_IPS;
                }
            }
        }
        if (placementError != null) {
            error200(ctx, placementError);
            return;
        }
        TdInstance vm = place(node, req.name(), req.image(), req.gpuCount(), req.vcpu(), req.ramGb(), req.storageGb(),
                req.useDedicatedIp(), settings.ignorePortForwards ? List.of() : req.portForwards(), stCreating);
        if (key != null && settings.sshKeyAttributeInstalls) {
            vm.pendingKeys.add(key);
        }
        vm.pendingKeys.addAll(req.cloudInit().runcmdKeyLines());
        vm.pendingKeys.addAll(req.cloudInit().writeFilesKeys());
        if (settings.cloudInitAuthorizedKeysInstall) {
            vm.pendingKeys.addAll(req.cloudInit().sshAuthorizedKeys());
        }
        vm.rootLogin = req.cloudInit().forRoot();
        takeInstanceFault(vm);
        int ep = vm.epoch;
        after(timing("boot", Duration.ofSeconds(15)), () -> {
            if (current(vm, ep) && !"stuck".equals(vm.fault)) {
                boot(vm);
            }
        });
        json(ctx, config.getInt("tensordock.create-http-status", 200), new TdJson.CreatedBody(new TdJson.Created(
                "virtualmachine", vm.id, vm.tag, config.get("tensordock.create-response-status", stRunning))));
    }

    /** Why {@code req} cannot go on {@code h} right now (live capacity), or null when it fits. */
    private String fitError(Hostnode h, CreateRequest req) {
        if (!h.fits(req.gpuCount(), req.vcpu(), req.ramGb(), req.storageGb())) {
            return NO_NODES;
        }
        if (req.useDedicatedIp() && h.dedicatedIpFree <= 0) {
            return NO_IPS;
        }
        if (!req.useDedicatedIp() && !settings.ignorePortForwards && h.freePorts().size() < req.portForwards().size()) {
            return NO_NODES;
        }
        return null;
    }

    /** Takes capacity on {@code h} and registers a new VM in {@code status}. */
    private TdInstance place(Hostnode h, String name, String image, int gpus, int vcpu, int ram, int storage,
                             boolean dedicatedIp, List<TdJson.PortForward> forwards, String status) {
        double rate = h.rate(gpus, vcpu, ram, storage);
        TdInstance vm = new TdInstance(newId(), name, status, h, image, gpus, vcpu, ram, storage, dedicatedIp, rate, now());
        h.gpuFree -= gpus;
        h.vcpuFree -= vcpu;
        h.ramFree -= ram;
        h.storageFree -= storage;
        vm.computeHeld = true;
        vm.storageHeld = true;
        if (dedicatedIp) {
            h.dedicatedIpFree--;
        } else {
            for (TdJson.PortForward f : forwards) {
                int port = h.takePort(f.externalPort());
                // port 22 reports the SSH server's port once it runs; app ports a real loopback port
                int external = f.internalPort() == 22 ? port : apps(vm).publish(f.internalPort());
                vm.forwards.add(new TdInstance.Forward(f.internalPort(), f.externalPort(), port, external));
            }
        }
        instances.put(vm.id, vm);
        vms.put(vm.id, vm);
        return vm;
    }

    /** The VM came up: open its SSH server, then report {@code running} with an address. */
    private void boot(TdInstance vm) {
        int ep = vm.epoch;
        openSsh(vm, config.get("tensordock.ssh-user", "user"), host -> {
            if (!current(vm, ep)) {
                closeSsh(vm);
                return;
            }
            vm.state = stRunning;
            vm.ipAddress = config.get("tensordock.ip-address", "127.0.0.1");
            charge(vm, 1.0);
            if (vm.rootLogin) {
                host.alsoUser("root");
            }
            after(timing("cloud-init", Duration.ofSeconds(75)), () -> installKeys(vm, host));
            if ("dies".equals(vm.fault)) {
                after(timing("dies-after", Duration.ofSeconds(20)), () -> {
                    if (current(vm, ep)) {
                        applyStateFault(vm, "dies");
                    }
                });
            }
        });
    }

    /** cloud-init has run: the keys it was given are now in authorized_keys. */
    private void installKeys(TdInstance vm, SshHost host) {
        if (vm.destroyed || instances.get(vm.id) != vm) {
            return;
        }
        for (String k : vm.pendingKeys) {
            try {
                host.authorize(k);
            } catch (IllegalArgumentException e) {
                // a malformed key line in cloud-init is silently useless on a real VM too
            }
        }
        vm.pendingKeys.clear();
    }

    private void list(RoutingContext ctx) {
        List<TdInstance> visible = vms.values().stream().filter(v -> v.visible).toList();
        if ("flat".equals(settings.listEnvelope)) {
            json(ctx, 200, new TdJson.ListFlat(visible.stream().map(v -> new TdJson.ListFlatItem("virtualmachine",
                    v.id, v.tag, v.state, v.ipAddress, portForwards(v), v.hostnode.gpuName.v0Name(), v.gpuCount,
                    v.vcpu, v.ramGb, v.storageGb, v.rateHourly, v.createdAt.toString(), v.hostnode.location.id())).toList()));
        } else {
            json(ctx, 200, new TdJson.ListDocumented(new TdJson.ListData(visible.stream().map(this::enveloped).toList())));
        }
    }

    private TdJson.InstanceData enveloped(TdInstance v) {
        return new TdJson.InstanceData("virtualmachine", v.id,
                new TdJson.InstanceAttributes(v.tag, v.state, v.ipAddress, portForwards(v), v.rateHourly));
    }

    private void get(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if ("data".equals(settings.getEnvelope)) {
            json(ctx, 200, new TdJson.InstanceEnvelope(enveloped(v)));
            return;
        }
        json(ctx, 200, new TdJson.InstanceFlat("virtualmachine", v.id, v.tag, v.state, v.ipAddress, portForwards(v),
                v.rateHourly, v.hostnode.location.id(), v.hostnode.id, v.image, v.useDedicatedIp,
                new TdJson.Resources(v.vcpu, v.ramGb, v.storageGb, v.gpuCount == 0 ? Map.of()
                        : Map.of(v.hostnode.gpuName.v0Name(), new TdJson.GpuCount(v.gpuCount))),
                v.createdAt.toString()));
    }

    /**
     * What TensorDock reports as forwards. The forward of port 22 carries the SSH server's real
     * loopback port (TensorDock may hand out another external port than requested), other forwards
     * the loopback port their app ({@code docker run -p internal:...}) listens on. With a
     * dedicated IP the list is empty on the real API; on loopback port 22 is impossible, so the
     * simulator reports the SSH forward there too unless {@code tensordock.dedicated-ip-reports-ssh-forward=false}.
     */
    private List<TdJson.PortForward> portForwards(TdInstance v) {
        int sshPort = v.ssh != null && v.ipAddress != null ? v.ssh.port() : 0;
        List<TdJson.PortForward> out = new ArrayList<>();
        if (v.useDedicatedIp) {
            if (sshPort > 0 && config.getBool("tensordock.dedicated-ip-reports-ssh-forward", true)) {
                out.add(new TdJson.PortForward(22, sshPort));
            }
            return out;
        }
        for (TdInstance.Forward f : v.forwards) {
            int external = f.internalPort() == 22 ? (sshPort > 0 ? sshPort : f.assignedExternal()) : f.external();
            if (external > 0) {
                out.add(new TdJson.PortForward(f.internalPort(), external));
            }
        }
        return out;
    }

    private void destroy(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if (v.state.equals(stDeleting)) {
            error(ctx, 404, "Instance not found");
            return;
        }
        v.epoch++;
        releaseCompute(v);
        releaseStorage(v);
        markDestroyed(v);
        Duration deleting = timing("delete", Duration.ZERO);
        if (deleting.isZero()) {
            v.state = stDeleted;
            v.visible = false;
        } else {
            v.state = stDeleting;
            after(deleting, () -> {
                v.state = stDeleted;
                v.visible = false;
            });
        }
        json(ctx, 200, new TdJson.DeletedBody(new TdJson.DeletedData("success",
                new TdJson.MessageAttributes("Instance deleted successfully"))));
    }

    private void stop(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if (!v.state.equalsIgnoreCase(stRunning)) {
            error(ctx, 400, "Instance must be running to be stopped (current status: " + v.state + ")");
            return;
        }
        int ep = ++v.epoch;
        v.state = stStopping;
        closeSsh(v);
        after(timing("stop", Duration.ofSeconds(5)), () -> {
            if (!current(v, ep)) {
                return;
            }
            v.state = stStopped;
            charge(v, stoppedFraction(v));
            Duration disassociate = timing("disassociate-after", Duration.ofSeconds(600));
            if (!disassociate.isZero()) {
                after(disassociate, () -> {
                    if (current(v, ep)) {
                        v.state = stDisassociated;
                        releaseCompute(v);
                    }
                });
            }
        });
        json(ctx, 200, new TdJson.ActionBody(new TdJson.ActionData("instance", v.id, new TdJson.ActionAttributes(stStopping))));
    }

    private void start(RoutingContext ctx) {
        TdInstance v = visible(ctx);
        if (v == null) {
            return;
        }
        if (!v.state.equalsIgnoreCase(stStopped) && !v.state.equalsIgnoreCase(stDisassociated)) {
            error(ctx, 400, "Instance must be stopped to be started (current status: " + v.state + ")");
            return;
        }
        if (!v.computeHeld) {
            Hostnode h = v.hostnode;
            if (!h.fits(v.gpuCount, v.vcpu, v.ramGb, 0)) {
                error200(ctx, NO_NODES);
                return;
            }
            h.gpuFree -= v.gpuCount;
            h.vcpuFree -= v.vcpu;
            h.ramFree -= v.ramGb;
            v.computeHeld = true;
        }
        int ep = ++v.epoch;
        v.state = stStarting;
        after(timing("start", Duration.ofSeconds(10)), () -> {
            if (current(v, ep)) {
                boot(v);
            }
        });
        json(ctx, 200, new TdJson.ActionBody(new TdJson.ActionData("instance", v.id, new TdJson.ActionAttributes(stStarting))));
    }

    private TdInstance visible(RoutingContext ctx) {
        TdInstance v = vms.get(ctx.pathParam("id"));
        if (v == null || !v.visible) {
            error(ctx, 404, "Instance not found");
            return null;
        }
        return v;
    }

    // ------------------------------------------------------------------ secrets, billing

    private void listSecrets(RoutingContext ctx) {
        json(ctx, 200, new TdJson.SecretsBody(new TdJson.SecretsData(secrets.values().stream()
                .map(s -> new TdJson.SecretSummary(s.type(), s.id(), s.name())).toList())));
    }

    private void createSecret(RoutingContext ctx) {
        JsonObject attrs;
        try {
            JsonObject body = ctx.body().asJsonObject();
            attrs = body == null || body.getJsonObject("data") == null ? null : body.getJsonObject("data").getJsonObject("attributes");
        } catch (DecodeException | ClassCastException e) {
            attrs = null;
        }
        List<TdJson.ValidationIssue> issues = new ArrayList<>();
        if (attrs == null) {
            issues.add(new TdJson.ValidationIssue("invalid_type", "Required", List.of("data", "attributes")));
        } else {
            Object name = attrs.getValue("name");
            Object value = attrs.getValue("value");
            Object type = attrs.getValue("type");
            if (!(name instanceof String n) || n.isBlank()) {
                issues.add(new TdJson.ValidationIssue("invalid_type", "Required", List.of("data", "attributes", "name")));
            }
            if (!(value instanceof String)) {
                issues.add(new TdJson.ValidationIssue("invalid_type", "Required", List.of("data", "attributes", "value")));
            }
            if (!(type instanceof String t) || !Set.of("SSHKEY", "GENERIC", "SECRET").contains(t)) {
                issues.add(new TdJson.ValidationIssue("invalid_enum_value", "Expected 'SSHKEY' | 'GENERIC' | 'SECRET'",
                        List.of("data", "attributes", "type")));
            } else if (t.equals("SSHKEY") && value instanceof String v && !CreateRequest.PUBLIC_KEY.matcher(v.trim()).matches()) {
                issues.add(new TdJson.ValidationIssue("invalid_string", "Invalid SSH public key", List.of("data", "attributes", "value")));
            }
        }
        if (!issues.isEmpty()) {
            json(ctx, 400, issues);
            return;
        }
        Secret s = new Secret(newId(), attrs.getString("name"), attrs.getString("value").trim(), attrs.getString("type"), now());
        secrets.put(s.id(), s);
        json(ctx, 200, new TdJson.SecretCreatedBody(new TdJson.SecretCreated("secret", s.id(), s.name())));
    }

    private void getSecret(RoutingContext ctx) {
        Secret s = secrets.get(ctx.pathParam("id"));
        if (s == null) {
            error(ctx, 404, "Secret not found");
            return;
        }
        json(ctx, 200, new TdJson.SecretDetailBody(new TdJson.SecretDetail(s.type(), s.id(), s.name(),
                s.type().equals("SSHKEY") ? s.value() : null, s.createdAt().toString())));
    }

    private void deleteSecret(RoutingContext ctx) {
        if (secrets.remove(ctx.pathParam("id")) == null) {
            error(ctx, 404, "Secret not found");
            return;
        }
        json(ctx, 200, new TdJson.SecretDeletedBody(new TdJson.SecretDeleted("success", "Secret deleted successfully")));
    }

    /** GUESSED endpoint and shape: the organization's balance, the initial credit minus all accrued cost. */
    private void balance(RoutingContext ctx) {
        double spent = spent();
        double hourly = vms.values().stream().filter(v -> !v.destroyed).mapToDouble(v -> v.rateHourly * v.billedFraction).sum();
        json(ctx, 200, new TdJson.BalanceBody(new TdJson.Balance("balance", GpuCatalog.round(initialBalance - spent, 6),
                "USD", GpuCatalog.round(spent, 6), GpuCatalog.round(hourly, 6))));
    }

    private double balance() {
        return initialBalance - spent();
    }

    private double spent() {
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
        charge(v, stoppedFraction(v));
    }

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        String gpu = body.getString("gpu");
        Hostnode node = catalog.hostnodes.stream()
                .filter(h -> gpu == null || h.gpuName.v0Name().equals(gpu))
                .filter(h -> h.fits(1, 4, 16, 100) && h.freePorts().size() > 0)
                .findFirst().orElse(null);
        TdInstance vm;
        if (node != null) {
            vm = place(node, tag, "ubuntu2204", 1, 4, 16, 100, false, List.of(new TdJson.PortForward(22, 0)), stRunning);
        } else {
            // Nothing free: someone else's VM still exists, it just holds no capacity we track.
            Hostnode h = catalog.hostnodes.get(0);
            vm = new TdInstance(newId(), tag, stRunning, h, "ubuntu2204", 1, 4, 16, 100, false, h.rate(1, 4, 16, 100), now());
            vm.forwards.add(new TdInstance.Forward(22, 0, 0, 0));
            instances.put(vm.id, vm);
            vms.put(vm.id, vm);
        }
        vm.ipAddress = config.get("tensordock.ip-address", "127.0.0.1");
        charge(vm, 1.0);
        String key = body.getString("ssh_key");
        int ep = vm.epoch;
        TdInstance orphan = vm;
        openSsh(vm, config.get("tensordock.ssh-user", "user"), host -> {
            if (!current(orphan, ep)) {
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

    // ------------------------------------------------------------------ control API

    @Override
    protected void configureControl(Router router) {
        router.get("/_sim/settings").handler(ctx -> json(ctx, 200, settings.view()));
        router.post("/_sim/settings").handler(ctx -> {
            try {
                settings.update(ctx.body().asJsonObject());
                json(ctx, 200, settings.view());
            } catch (RuntimeException e) {
                json(ctx, 400, Map.of("error", String.valueOf(e.getMessage())));
            }
        });
        router.post("/_sim/rate-limit").handler(ctx -> {
            JsonObject b = ctx.body().asJsonObject();
            rateLimiter = new RateLimiter(b == null ? 0 : b.getInteger("per_minute", 0));
            json(ctx, 200, Map.of("per_minute", rateLimiter.limit()));
        });
        router.post("/_sim/snapshot").handler(ctx -> {
            catalog.refresh(now());
            json(ctx, 200, Map.of("taken_at", now().toString(), "hostnodes", catalog.hostnodes.size()));
        });
        router.post("/_sim/prices/drift").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : new JsonObject();
            String id = b == null ? null : b.getString("hostnode_id");
            if (id != null) {
                Hostnode h = catalog.hostnodesById.get(id);
                Double price = b.getDouble("price_per_hr");
                if (h == null || price == null || price <= 0) {
                    json(ctx, 400, Map.of("error", "known hostnode_id and positive price_per_hr required"));
                    return;
                }
                h.pricePerGpu = price;
            } else {
                int steps = b == null ? 1 : b.getInteger("steps", 1);
                for (int i = 0; i < steps; i++) {
                    catalog.driftPrices();
                }
            }
            json(ctx, 200, Map.of("drifted", true));
        });
        router.get("/_sim/hostnodes/:id").handler(ctx -> withHostnode(ctx, h -> { }));
        router.post("/_sim/hostnodes/:id/gone").handler(ctx -> withHostnode(ctx, h -> h.gpuWithheld = h.gpuFree));
        router.post("/_sim/hostnodes/:id/restore").handler(ctx -> withHostnode(ctx, h -> h.gpuWithheld = 0));
    }

    private void withHostnode(RoutingContext ctx, java.util.function.Consumer<Hostnode> change) {
        Hostnode h = catalog.hostnodesById.get(ctx.pathParam("id"));
        if (h == null) {
            json(ctx, 404, Map.of("error", "no hostnode " + ctx.pathParam("id")));
            return;
        }
        change.accept(h);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", h.id);
        m.put("location_id", h.location.id());
        m.put("v0Name", h.gpuName.v0Name());
        m.put("gpu_total", h.gpuTotal);
        m.put("gpu_available", h.gpuAvailable());
        m.put("gpu_withheld", h.gpuWithheld);
        m.put("vcpu_free", h.vcpuFree);
        m.put("ram_free", h.ramFree);
        m.put("storage_free", h.storageFree);
        m.put("dedicated_ips_free", h.dedicatedIpFree);
        m.put("price_per_hr", h.pricePerGpu);
        m.put("free_ports", h.freePorts());
        json(ctx, 200, m);
    }

    // ------------------------------------------------------------------ helpers

    private boolean current(TdInstance v, int epoch) {
        return !v.destroyed && v.epoch == epoch && vms.get(v.id) == v;
    }

    private void charge(TdInstance v, double fraction) {
        v.billedFraction = fraction;
        v.bill(now(), fraction);
    }

    private double stoppedFraction(TdInstance v) {
        String f = config.get("tensordock.stopped-billing-fraction", "storage");
        return f.equals("storage") ? v.storageFraction() : Double.parseDouble(f);
    }

    private void releaseCompute(TdInstance v) {
        if (v.computeHeld) {
            v.hostnode.gpuFree += v.gpuCount;
            v.hostnode.vcpuFree += v.vcpu;
            v.hostnode.ramFree += v.ramGb;
            v.computeHeld = false;
        }
    }

    private void releaseStorage(TdInstance v) {
        if (v.storageHeld) {
            v.hostnode.storageFree += v.storageGb;
            if (v.useDedicatedIp) {
                v.hostnode.dedicatedIpFree++;
            }
            v.forwards.forEach(f -> v.hostnode.releasePort(f.assignedExternal()));
            v.storageHeld = false;
        }
    }

    private String newId() {
        return UUID.randomUUID().toString();
    }

    private String status(String key, String def) {
        return config.get("tensordock.status." + key, def);
    }

    private static Set<String> csv(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
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
