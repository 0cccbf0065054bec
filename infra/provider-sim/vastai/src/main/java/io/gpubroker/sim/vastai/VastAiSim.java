package io.gpubroker.sim.vastai;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

import io.gpubroker.sim.core.Apps;
import io.gpubroker.sim.core.DockerCli;
import io.gpubroker.sim.core.Faults;
import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.RisingIds;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Vast.ai simulator: {@code /api/v0} plus {@code /api/v1/instances/}, Bearer (or {@code api_key})
 * auth, single-use asks from a refreshed snapshot, the actual/intended status machine, keys attached
 * per instance and a real SSH server for {@code root}, and credit drawn down by what instances
 * really cost. See the module README for op names, config keys and control endpoints.
 */
public class VastAiSim extends ProviderSim {

    private static final String V1_INSTANCES = "/api/v1/instances/";
    private static final Pattern KEY_LINE = Pattern.compile(
            "(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+");
    private static final Pattern PORT_OPT = Pattern.compile("-p\\s+(?:[0-9.]+:)?(\\d+):(\\d+)");
    private static final Pattern ENV_OPT = Pattern.compile("-e\\s+([A-Za-z_][A-Za-z0-9_]*)=(\\S*)");
    private static final int V1_MAX_PAGE = 25;

    private final VastTemplates templates = new VastTemplates();
    private final Map<Long, VastInstance> vast = new LinkedHashMap<>();
    private final List<Map<String, Object>> accountKeys = new ArrayList<>();
    private final Map<String, ArrayDeque<Long>> calls = new HashMap<>();
    private VastOffers offers;
    private double creditBase;
    private boolean v0ListDeprecated;
    private final RisingIds instanceIds;
    private long nextKeyId = 4_200;

    public VastAiSim(SimConfig config, SimClock clock) {
        super("vastai", config, clock);
        this.instanceIds = new RisingIds(config.getInt("vastai.first-instance-id", 7_835_600), 100);
        initMarket();
    }

    private void initMarket() {
        long seed = config.getInt("seed", 42);
        offers = new VastOffers(seed, config.getInt("vastai.offers", 40), config.getInt("vastai.first-ask-id", 29_900_000),
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
        vast(router, HttpMethod.GET, v0 + "/bundles/", "offers", this::searchOffers);
        vast(router, HttpMethod.POST, v0 + "/bundles/", "offers", this::searchOffers);
        vast(router, HttpMethod.PUT, v0 + "/search/asks/", "offers", this::searchOffers);
        vast(router, HttpMethod.PUT, v0 + "/asks/:id/", "create", this::create);
        vast(router, HttpMethod.GET, V1_INSTANCES, "list", this::listV1);
        vast(router, HttpMethod.GET, v0 + "/instances/", "list_v0", this::listV0);
        vast(router, HttpMethod.PUT, v0 + "/instances/", "manage", this::manageBulk);
        vast(router, HttpMethod.DELETE, v0 + "/instances/", "destroy", this::destroyBulk);
        vast(router, HttpMethod.GET, v0 + "/instances/:id/", "get", this::getOne);
        vast(router, HttpMethod.PUT, v0 + "/instances/:id/", "manage", this::manage);
        vast(router, HttpMethod.DELETE, v0 + "/instances/:id/", "destroy", this::destroy);
        vast(router, HttpMethod.POST, v0 + "/instances/:id/ssh/", "ssh_key", this::attachKey);
        vast(router, HttpMethod.GET, v0 + "/instances/:id/ssh/", "ssh_keys", this::instanceKeys);
        vast(router, HttpMethod.DELETE, v0 + "/instances/:id/ssh/:key/", "ssh_key_detach", this::detachKey);
        vast(router, HttpMethod.POST, v0 + "/ssh/", "account_key", this::addAccountKey);
        vast(router, HttpMethod.GET, v0 + "/ssh/", "account_keys", ctx -> json(ctx, 200, accountKeys));
        vast(router, HttpMethod.DELETE, v0 + "/ssh/:key/", "account_key_delete", this::deleteAccountKey);
        vast(router, HttpMethod.GET, v0 + "/users/current/", "balance", this::currentUser);
        vast(router, HttpMethod.GET, v0 + "/invoices/", "billing", this::invoices);
        vast(router, HttpMethod.GET, v0 + "/invoices", "billing", this::invoices);
        vast(router, HttpMethod.GET, v0 + "/template/", "templates", this::searchTemplates);

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
        ctx.response().setStatusCode(429).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("API requests too frequent: endpoint threshold=" + config.getInt("vastai.rate-limit-per-second", 2));
    }

    private static void fail(RoutingContext ctx, int status, String error, String msg) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", error);
        body.put("msg", msg);
        json(ctx, status, body);
    }

    private static Map<String, Object> ok(String msg) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("msg", msg);
        return body;
    }

    // ---------------------------------------------------------------- offers and templates

    private void searchOffers(RoutingContext ctx) {
        JsonObject query;
        if (ctx.request().method() == HttpMethod.GET) {
            String q = ctx.request().getParam("q");
            query = q == null || q.isBlank() ? new JsonObject() : new JsonObject(q);
        } else {
            JsonObject body = body(ctx);
            query = body.getValue("q") instanceof JsonObject inner ? inner.copy() : body;
            if (body.getValue("q") instanceof JsonObject) {
                for (String k : List.of("limit", "order", "type", "allocated_storage")) {
                    if (body.containsKey(k) && !query.containsKey(k)) {
                        query.put(k, body.getValue(k));
                    }
                }
            }
        }
        VastOffers.Found found = offers.search(query, config.getInt("vastai.offers.default-limit", 64),
                config.getInt("vastai.offers.max-limit", 100_000));
        if (found.rows().size() < 1000) {
            json(ctx, 200, Map.of("offers", found.views()));
            return;
        }
        // benchmark-sized answers (20k offers = ~18 MB) are rendered on a worker, not the event loop
        vertx.<String>executeBlocking(() -> Json.encode(Map.of("offers", found.views())), false).onComplete(ar -> {
            if (ar.succeeded()) {
                json(ctx, 200, ar.result());
            } else {
                error(ctx, 500, "could not render offers: " + ar.cause().getMessage());
            }
        });
    }

    private void searchTemplates(RoutingContext ctx) {
        String f = ctx.request().getParam("select_filters");
        JsonObject filters = f == null || f.isBlank() ? new JsonObject() : new JsonObject(f);
        json(ctx, 200, Map.of("templates", templates.search(filters)));
    }

    // ---------------------------------------------------------------- create

    private void create(RoutingContext ctx) {
        long askId = parseId(ctx.pathParam("id"));
        JsonObject body = body(ctx);
        String hash = body.getString("template_hash_id");
        Map<String, Object> template = hash == null ? null : templates.byHash(hash);
        if (hash != null && template == null) {
            fail(ctx, 400, "invalid_args", "template_hash_id " + hash + " does not exist");
            return;
        }
        String image = body.getString("image", template == null ? null : template.get("image") + ":" + template.get("tag"));
        if (image == null || image.isBlank()) {
            fail(ctx, 400, "invalid_args", "image or template_hash_id is required");
            return;
        }
        String label = body.getString("label");
        if (label != null && label.length() > 1024) {
            fail(ctx, 400, "invalid_args", "label must be at most 1024 characters");
            return;
        }
        if (credit().signum() <= 0) {
            fail(ctx, config.getInt("vastai.insufficient-credit-status", 402), "insufficient_credit",
                    "Your account does not have enough credit to rent this instance.");
            return;
        }
        VastOffers.Machine m = offers.rentable(askId);
        if (m != null && random.nextDouble() < config.getDouble("vastai.stale-ask-probability", 0.0)) {
            offers.takeByOthers(askId, true);
            m = null;
        }
        if (m == null) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("success", false);
            err.put("error", "invalid_args");
            err.put("msg", "error 404/3603: no_such_ask  Instance type by id " + askId + " is not available.");
            err.put("ask_id", askId);
            json(ctx, 400, err);
            return;
        }
        int disk = body.getValue("disk") instanceof Number n ? (int) Math.ceil(n.doubleValue()) : 8;
        if (disk <= 0 || disk > m.seed.diskGb()) {
            fail(ctx, 400, "invalid_args", "disk must be between 1 and " + m.seed.diskGb() + " GB on this machine");
            return;
        }
        Object bidPrice = body.getValue("price");
        boolean bid = bidPrice instanceof Number;
        double price = bid ? ((Number) bidPrice).doubleValue() + m.storagePerHour(disk) : m.dphTotal(disk);
        String runtype = body.getString("runtype", template == null ? "ssh" : (String) template.get("runtype"));
        Map<String, String> env = new LinkedHashMap<>();
        if (template != null) {
            env.putAll(parseDockerOptions((String) template.get("env")));
        }
        Object reqEnv = body.getValue("env");
        if (reqEnv instanceof JsonObject o) {
            o.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
        } else if (reqEnv instanceof String s) {
            env.putAll(parseDockerOptions(s));
        }
        String onstart = body.getString("onstart", template == null ? null : (String) template.get("onstart"));

        List<String> args = containerArgs(body.getValue("args"));

        offers.rent(m);
        VastInstance inst = new VastInstance(instanceIds.next(), label, BigDecimal.valueOf(price).setScale(6, RoundingMode.HALF_UP),
                now(), m, image, runtype, hash, disk, onstart, env, bid);
        inst.args = args;
        inst.holdsSlot = true;
        publishPorts(inst);
        takeInstanceFault(inst);
        for (Map<String, Object> k : accountKeys) {
            addKey(inst, (String) k.get("public_key"), true);
        }
        if (body.getString("ssh_key") != null && config.getBool("vastai.honor-create-ssh-key", false)) {
            addKey(inst, validKey(body.getString("ssh_key")), true);
        }
        register(inst);
        inst.state = initialStatus();
        inst.bill(now(), inst.storageFraction());
        if ("stopped".equals(body.getString("target_state"))) {
            inst.intendedStatus = "stopped";
            inst.nextState = "stopped";
            inst.curState = "stopped";
            inst.state = "stopped";
            inst.holdsSlot = false;
            offers.release(m);
        } else {
            boot(inst);
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("new_contract", inst.numericId);
        json(ctx, 200, res);
    }

    private String initialStatus() {
        String s = config.get("vastai.initial-status", "");
        return s.isBlank() || s.equals("null") ? null : s;
    }

    private void register(VastInstance inst) {
        vast.put(inst.numericId, inst);
        instances.put(inst.id, inst);
    }

    /** Each {@code -p H:P} in env publishes container port P on a free loopback port (random per instance, as on Vast). */
    private void publishPorts(VastInstance inst) {
        for (String k : inst.env.keySet()) {
            Matcher p = PORT_OPT.matcher(k);
            if (p.find() && !p.group(2).equals("22")) {
                inst.extraPorts.put(p.group(2), apps(inst).publish(Integer.parseInt(p.group(2))));
            }
        }
    }

    /** {@code args}: a list of words or one shell string. */
    private static List<String> containerArgs(Object raw) {
        if (raw instanceof JsonArray a) {
            List<String> out = new ArrayList<>();
            a.forEach(o -> out.add(String.valueOf(o)));
            return List.copyOf(out);
        }
        if (raw instanceof String s && !s.isBlank()) {
            try {
                return List.copyOf(DockerCli.words(s));
            } catch (DockerCli.Failure e) {
                throw new IllegalArgumentException("args: " + e.getMessage());
            }
        }
        return List.of();
    }

    /**
     * The instance is the container: once it runs, its process serves every published non-22 port
     * (switch off with {@code vastai.app-autostart=false}). The model comes from {@code onstart},
     * {@code args} or env, else the image.
     */
    private void startApps(VastInstance inst, int gen) {
        if (inst.extraPorts.isEmpty() || !config.getBool("vastai.app-autostart", true)) {
            return;
        }
        List<String> words = new ArrayList<>();
        try {
            words.addAll(DockerCli.words(inst.onstart == null ? "" : inst.onstart));
        } catch (DockerCli.Failure e) {
            // an unbalanced quote in onstart: the shell would fail on it, the image's defaults apply
        }
        words.addAll(inst.args);
        String model = DockerCli.model(words, inst.env, inst.image);
        List<Integer> ports = inst.extraPorts.keySet().stream().map(Integer::valueOf).toList();
        Apps apps = apps(inst);
        vertx.executeBlocking(() -> {
            apps.runEntrypoint("instance-" + inst.numericId, inst.image, model, ports);
            return null;
        }, false).onComplete(ar -> {
            if (!current(inst, gen) || !"running".equals(inst.state)) {
                closeApps(inst);
            }
        });
    }

    /** {@code "-p 1111:1111 -e A=b"} into Vast's env object form ({@code {"-p 1111:1111": "1", "A": "b"}}). */
    static Map<String, String> parseDockerOptions(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s == null) {
            return out;
        }
        Matcher p = PORT_OPT.matcher(s);
        while (p.find()) {
            out.put(p.group().replaceAll("\\s+", " "), "1");
        }
        Matcher e = ENV_OPT.matcher(s);
        while (e.find()) {
            out.put(e.group(1), e.group(2));
        }
        return out;
    }

    // ---------------------------------------------------------------- state machine

    private boolean current(VastInstance inst, int gen) {
        return !inst.destroyed && inst.generation == gen && vast.get(inst.numericId) == inst;
    }

    /** null (scheduling) → loading (image pull) → running; "stuck" stays in loading. */
    private void boot(VastInstance inst) {
        int gen = ++inst.generation;
        after(timing("schedule", Duration.ofSeconds(3)), () -> {
            if (!current(inst, gen)) {
                return;
            }
            inst.state = "loading";
            inst.statusMsg = "Pulling image " + inst.image;
            if ("stuck".equals(inst.fault)) {
                return;
            }
            after(timing("boot", Duration.ofSeconds(20)), () -> {
                if (!current(inst, gen)) {
                    return;
                }
                if ("image_pull_failed".equals(inst.fault)) {
                    // the bad-image failure of the spec: loading -> exited, the pull error in status_msg
                    exited(inst, Apps.pullError(inst.image));
                } else {
                    toRunning(inst);
                }
            });
        });
    }

    private void toRunning(VastInstance inst) {
        int gen = inst.generation;
        inst.state = "running";
        inst.intendedStatus = "running";
        inst.curState = "running";
        inst.nextState = "running";
        inst.statusMsg = "success, running " + inst.image + "/ssh";
        inst.bill(now(), 1.0);
        if (inst.hasSsh()) {
            openSsh(inst, "root", host -> {
                if (!current(inst, gen)) {
                    vertx.executeBlocking(() -> {
                        host.close();
                        return null;
                    }, false);
                    return;
                }
                inst.sshPort = host.port();
                for (VastInstance.Key k : inst.keys) {
                    if (k.active) {
                        host.authorize(k.publicKey);
                    }
                }
            });
        }
        startApps(inst, gen);
        if ("dies".equals(inst.fault)) {
            after(timing("dies-after", Duration.ofSeconds(10)), () -> {
                if (current(inst, gen) && "running".equals(inst.state)) {
                    die(inst);
                }
            });
        }
    }

    /** The container process died: {@code exited}, SSH gone, only the disk billed. */
    private void die(VastInstance inst) {
        exited(inst, "Error: container exited unexpectedly with code 137");
    }

    /** The container is not running (died, or its image could not be pulled): SSH and apps gone, only the disk billed. */
    private void exited(VastInstance inst, String statusMsg) {
        inst.generation++;
        inst.state = "exited";
        inst.statusMsg = statusMsg;
        dropSsh(inst);
        inst.bill(now(), inst.storageFraction());
    }

    /** The container's SSH (and its apps) are gone; a restart gets a new SSH port, so the old one is not advertised. */
    private void dropSsh(VastInstance inst) {
        inst.sshPort = null;
        closeSsh(inst);
        inst.ssh = null;
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        VastInstance inst = (VastInstance) instance;
        switch (kind) {
            case "dies" -> die(inst);
            case "host_offline" -> {
                // the host stopped sending heartbeats: the contract (and its GPU charge) goes on
                inst.generation++;
                inst.state = config.get("vastai.host-offline-status", "offline");
                inst.statusMsg = "host is offline";
                dropSsh(inst);
            }
            default -> throw new IllegalArgumentException("unknown state fault for vastai: " + kind
                    + " (expected dies or host_offline)");
        }
    }

    private void stop(VastInstance inst) {
        if ("stopped".equals(inst.state) && "stopped".equals(inst.intendedStatus)) {
            return;
        }
        int gen = ++inst.generation;
        inst.intendedStatus = "stopped";
        inst.nextState = "stopped";
        after(timing("stop", Duration.ofSeconds(3)), () -> {
            if (!current(inst, gen)) {
                return;
            }
            inst.state = "stopped";
            inst.curState = "stopped";
            inst.statusMsg = "stopped";
            dropSsh(inst);
            if (inst.holdsSlot) {
                inst.holdsSlot = false;
                offers.release(inst.machine);
            }
            inst.bill(now(), inst.storageFraction());
        });
    }

    private void start(VastInstance inst) {
        if ("running".equals(inst.intendedStatus) && !"stopped".equals(inst.state) && !"exited".equals(inst.state)) {
            return;
        }
        int gen = ++inst.generation;
        inst.intendedStatus = "running";
        inst.nextState = "running";
        inst.state = "scheduling";
        inst.statusMsg = "waiting for the machine's GPUs";
        tryStart(inst, gen);
    }

    /** A restart needs a free slice on the same machine; without one it sits in {@code scheduling}. */
    private void tryStart(VastInstance inst, int gen) {
        if (!current(inst, gen)) {
            return;
        }
        Duration wait = timing("start", Duration.ofSeconds(5));
        if (inst.holdsSlot || offers.reserve(inst.machine)) {
            inst.holdsSlot = true;
            after(wait, () -> {
                if (current(inst, gen)) {
                    toRunning(inst);
                }
            });
        } else {
            after(wait, () -> tryStart(inst, gen));
        }
    }

    // ---------------------------------------------------------------- instances

    private void getOne(RoutingContext ctx) {
        VastInstance inst = vast.get(parseId(ctx.pathParam("id")));
        Map<String, Object> res = new HashMap<>();
        res.put("instances", inst == null || inst.destroyed ? null : inst.view(now()));
        json(ctx, 200, res);
    }

    private void listV0(RoutingContext ctx) {
        if (v0ListDeprecated) {
            fail(ctx, 410, "deprecated_endpoint", "/api/v0/instances/ is deprecated. Use /api/v1/instances/ instead.");
            return;
        }
        Instant now = now();
        List<Map<String, Object>> out = new ArrayList<>();
        for (VastInstance i : vast.values()) {
            if (!i.destroyed) {
                out.add(i.view(now));
            }
        }
        json(ctx, 200, Map.of("instances", out));
    }

    private void listV1(RoutingContext ctx) {
        Instant now = now();
        JsonObject filters = jsonParam(ctx, "select_filters", new JsonObject());
        VastQuery.validate(filters, Set.of());
        String orderParam = ctx.request().getParam("order_by");
        JsonArray orderBy = orderParam == null || orderParam.isBlank() ? new JsonArray() : new JsonArray(orderParam);
        String limitParam = ctx.request().getParam("limit");
        int limit = limitParam == null ? V1_MAX_PAGE : Math.max(1, Math.min(V1_MAX_PAGE, Integer.parseInt(limitParam.trim())));

        List<String[]> order = new ArrayList<>();
        for (Object o : orderBy) {
            JsonObject c = (JsonObject) o;
            order.add(new String[] {c.getString("col", "id"), c.getString("dir", "asc")});
        }
        order.add(new String[] {"id", "asc"});

        Map<String, Integer> labelCounts = new LinkedHashMap<>();
        List<Map<String, Object>> matched = new ArrayList<>();
        int total = 0;
        for (VastInstance i : vast.values()) {
            if (i.destroyed) {
                continue;
            }
            total++;
            labelCounts.merge(i.tag == null ? "" : i.tag, 1, Integer::sum);
            Map<String, Object> v = i.view(now);
            if (VastQuery.matches(filters, Set.of(), f -> v.containsKey(f) ? v.get(f) : VastQuery.UNKNOWN)) {
                matched.add(v);
            }
        }
        Comparator<Map<String, Object>> cmp = VastQuery.order(order, v -> f -> v.get(f));
        matched.sort(cmp);

        int from = 0;
        String token = ctx.request().getParam("after_token");
        if (token != null && !token.isBlank()) {
            JsonObject values = new JsonObject(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8))
                    .getJsonObject("values");
            Map<String, Object> cursor = values.getMap();
            while (from < matched.size() && cmp.compare(matched.get(from), cursor) <= 0) {
                from++;
            }
        }
        List<Map<String, Object>> page = matched.subList(from, Math.min(matched.size(), from + limit));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("instances_found", page.size());
        res.put("total_instances", total);
        res.put("label_counts", labelCounts);
        if (from + limit < matched.size()) {
            Map<String, Object> last = page.get(page.size() - 1);
            Map<String, Object> values = new LinkedHashMap<>();
            for (String[] o : order) {
                values.put(o[0], last.get(o[0]));
            }
            res.put("next_token", Base64.getEncoder().encodeToString(
                    Json.encode(Map.of("values", values)).getBytes(StandardCharsets.UTF_8)));
        }
        res.put("instances", page);
        json(ctx, 200, res);
    }

    /** {@code PUT /instances/{id}/}: state and/or label; faults also apply per intent (start, stop, label). */
    private void manage(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        JsonObject body = body(ctx);
        String state = body.getString("state");
        String op = "running".equals(state) ? "start" : "stopped".equals(state) ? "stop" : "label";
        withFault(ctx, op, () -> {
            VastInstance inst = vast.get(id);
            if (inst == null || inst.destroyed) {
                fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
                return;
            }
            if (state != null && !state.equals("running") && !state.equals("stopped")) {
                fail(ctx, 400, "invalid_args", "state must be running or stopped");
                return;
            }
            if (body.containsKey("label")) {
                String label = body.getString("label");
                if (label != null && label.length() > 1024) {
                    fail(ctx, 400, "invalid_args", "label must be at most 1024 characters");
                    return;
                }
                inst.tag = label;
            }
            if ("stopped".equals(state)) {
                stop(inst);
            } else if ("running".equals(state)) {
                start(inst);
            }
            json(ctx, 200, Map.of("success", true));
        });
    }

    private void manageBulk(RoutingContext ctx) {
        JsonObject body = body(ctx);
        String state = body.getString("state");
        JsonArray ids = body.getJsonArray("ids", new JsonArray());
        if (!"running".equals(state) && !"stopped".equals(state)) {
            fail(ctx, 400, "invalid_args", "state must be running or stopped");
            return;
        }
        for (Object o : ids) {
            VastInstance inst = vast.get(((Number) o).longValue());
            if (inst != null && !inst.destroyed) {
                if (state.equals("running")) {
                    start(inst);
                } else {
                    stop(inst);
                }
            }
        }
        json(ctx, 200, Map.of("success", true));
    }

    private void destroy(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        VastInstance inst = vast.get(id);
        if (inst == null || inst.destroyed) {
            switch (config.get("vastai.destroy-twice", "404")) {
                case "success" -> json(ctx, 200, ok("Instance destroyed successfully"));
                case "failure" -> fail(ctx, 200, "no_such_instance", "Instance " + id + " not found.");
                default -> fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
            }
            return;
        }
        destroyNow(inst);
        json(ctx, 200, ok("Instance destroyed successfully"));
    }

    private void destroyBulk(RoutingContext ctx) {
        JsonArray ids = body(ctx).getJsonArray("instance_ids", new JsonArray());
        for (Object o : ids) {
            VastInstance inst = vast.get(((Number) o).longValue());
            if (inst != null && !inst.destroyed) {
                destroyNow(inst);
            }
        }
        json(ctx, 200, ok("Instances destroyed successfully"));
    }

    private void destroyNow(VastInstance inst) {
        inst.generation++;
        markDestroyed(inst);
        inst.destroyedAt = now();
        inst.state = null;
        inst.curState = "unloaded";
        inst.intendedStatus = "stopped";
        if (inst.holdsSlot) {
            inst.holdsSlot = false;
            offers.release(inst.machine);
        }
    }

    // ---------------------------------------------------------------- keys

    private void attachKey(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        VastInstance inst = vast.get(id);
        if (inst == null || inst.destroyed) {
            fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
            return;
        }
        String key = validKey(body(ctx).getString("ssh_key"));
        VastInstance.Key k = addKey(inst, key, false);
        // the key reaches the container 10-15 s after the call
        after(timing("key-propagation", Duration.ofSeconds(10)), () -> {
            k.active = true;
            if (!inst.destroyed && inst.ssh != null && inst.keys.contains(k)) {
                inst.ssh.authorize(k.publicKey);
            }
        });
        json(ctx, 200, ok("SSH key added to instance " + id + "."));
    }

    private VastInstance.Key addKey(VastInstance inst, String publicKey, boolean active) {
        for (VastInstance.Key k : inst.keys) {
            if (k.publicKey.equals(publicKey)) {
                return k;
            }
        }
        VastInstance.Key k = new VastInstance.Key(nextKeyId++, publicKey);
        k.active = active;
        inst.keys.add(k);
        return k;
    }

    private void instanceKeys(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        VastInstance inst = vast.get(id);
        if (inst == null || inst.destroyed) {
            fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
            return;
        }
        List<Map<String, Object>> keys = new ArrayList<>();
        for (VastInstance.Key k : inst.keys) {
            String[] parts = k.publicKey.split("\\s+", 3);
            keys.add(Map.of("id", k.id, "name", parts.length > 2 ? parts[2] : "", "public_key", k.publicKey));
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("ssh_keys", Json.encode(keys));
        json(ctx, 200, res);
    }

    private void detachKey(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        long keyId = parseId(ctx.pathParam("key"));
        VastInstance inst = vast.get(id);
        if (inst == null || inst.destroyed || !inst.keys.removeIf(k -> k.id == keyId)) {
            fail(ctx, 404, "no_such_key", "SSH key " + keyId + " is not attached to instance " + id + ".");
            return;
        }
        json(ctx, 200, ok("SSH key removed from instance " + id + "."));
    }

    private void addAccountKey(RoutingContext ctx) {
        String key = validKey(body(ctx).getString("ssh_key"));
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("id", nextKeyId++);
        k.put("user_id", userId());
        k.put("public_key", key);
        k.put("created_at", now().toString());
        k.put("deleted_at", null);
        accountKeys.add(k);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("key", k);
        json(ctx, 200, res);
    }

    private void deleteAccountKey(RoutingContext ctx) {
        long keyId = parseId(ctx.pathParam("key"));
        if (!accountKeys.removeIf(k -> ((Number) k.get("id")).longValue() == keyId)) {
            fail(ctx, 404, "no_such_key", "SSH key " + keyId + " not found.");
            return;
        }
        json(ctx, 200, Map.of("success", true));
    }

    private static String validKey(String line) {
        Matcher m = KEY_LINE.matcher(line == null ? "" : line);
        if (!m.find()) {
            throw new IllegalArgumentException("ssh_key must be an OpenSSH public key");
        }
        try {
            AuthorizedKeyEntry.parseAuthorizedKeyEntry(m.group()).resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        } catch (Exception e) {
            throw new IllegalArgumentException("ssh_key must be an OpenSSH public key");
        }
        return line.trim();
    }

    // ---------------------------------------------------------------- billing

    private long userId() {
        return config.getInt("vastai.user-id", 91_234);
    }

    /** Prepaid credit minus everything every instance has accrued so far. */
    private BigDecimal credit() {
        Instant now = now();
        BigDecimal spent = BigDecimal.ZERO;
        for (VastInstance i : vast.values()) {
            spent = spent.add(i.accrued(now));
        }
        return BigDecimal.valueOf(creditBase).subtract(spent).setScale(6, RoundingMode.HALF_UP);
    }

    private void currentUser(RoutingContext ctx) {
        BigDecimal credit = credit();
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("id", userId());
        u.put("username", "sim-user");
        u.put("email", "sim-user@example.com");
        u.put("fullname", "Simulated User");
        u.put("credit", credit);
        u.put("balance", credit);
        u.put("balance_threshold", 0.0);
        u.put("balance_threshold_enabled", false);
        u.put("can_pay", credit.signum() > 0);
        u.put("has_billing", true);
        u.put("email_verified", true);
        u.put("ssh_key", accountKeys.isEmpty() ? null : accountKeys.get(accountKeys.size() - 1).get("public_key"));
        json(ctx, 200, u);
    }

    /** One charge line per instance (GUESSED shape), filterable with {@code select_filters}. */
    private void invoices(RoutingContext ctx) {
        Instant now = now();
        JsonObject filters = jsonParam(ctx, "select_filters", new JsonObject());
        List<Map<String, Object>> rows = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (VastInstance i : vast.values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", i.numericId);
            r.put("type", "charge");
            r.put("source", "instance");
            r.put("instance_id", i.numericId);
            r.put("label", i.tag);
            r.put("description", "Instance " + i.numericId + " (" + i.offeredGpu.count() + "x " + i.machine.gpuName
                    + "): GPU and storage");
            r.put("rate_per_hour", i.pricePerHour);
            r.put("amount", i.accrued(now));
            r.put("start", i.createdAt.toEpochMilli() / 1000.0);
            r.put("end", i.destroyedAt == null ? null : i.destroyedAt.toEpochMilli() / 1000.0);
            r.put("is_paid", false);
            if (VastQuery.matches(filters, Set.of(), f -> r.containsKey(f) ? r.get(f) : VastQuery.UNKNOWN)) {
                rows.add(r);
                total = total.add(i.accrued(now));
            }
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("invoices", rows);
        res.put("total", total);
        res.put("credit", credit());
        json(ctx, 200, res);
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
        VastInstance inst = new VastInstance(instanceIds.next(), tag, BigDecimal.valueOf(pick.dphTotal(disk)).setScale(6, RoundingMode.HALF_UP),
                now(), pick, "vastai/base-image:cuda-12.4.1", "ssh_proxy", null, disk, null, new LinkedHashMap<>(), false);
        inst.holdsSlot = consumed;
        if (body.getString("ssh_key") != null) {
            addKey(inst, validKey(body.getString("ssh_key")), true);
        }
        register(inst);
        toRunning(inst);
        return inst;
    }

    @Override
    protected void configureControl(Router router) {
        router.post("/_sim/offers/refresh").handler(ctx -> {
            offers.refresh(now().getEpochSecond());
            json(ctx, 200, Map.of("offers", offers.snapshot().size()));
        });
        router.post("/_sim/offers/:askId/gone").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            boolean gone = b == null || b.getBoolean("gone", true);
            long ask = Long.parseLong(ctx.pathParam("askId"));
            if (!offers.takeByOthers(ask, gone)) {
                json(ctx, 404, Map.of("error", "no ask " + ask));
                return;
            }
            json(ctx, 200, Map.of("ask_id", ask, "gone", gone));
        });
        router.post("/_sim/prices/drift").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            double pct = b == null ? 0.05 : b.getDouble("pct", 0.05);
            int steps = b == null ? 1 : b.getInteger("steps", 1);
            for (int i = 0; i < steps; i++) {
                offers.drift(pct);
            }
            if (b == null || b.getBoolean("refresh", true)) {
                offers.refresh(now().getEpochSecond());
            }
            json(ctx, 200, Map.of("drifted", steps, "pct", pct));
        });
        router.post("/_sim/v0-list").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : new JsonObject();
            v0ListDeprecated = b.getBoolean("deprecated", true);
            json(ctx, 200, Map.of("deprecated", v0ListDeprecated));
        });
        router.post("/_sim/credit").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : new JsonObject();
            double want = b.getDouble("credit", 1000.0);
            creditBase = want + creditBase - credit().doubleValue();
            json(ctx, 200, Map.of("credit", credit()));
        });
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

    // ---------------------------------------------------------------- helpers

    /** Applies a fault rule for a second, finer op name (PUT /instances/{id}/ → start, stop, label). */
    private void withFault(RoutingContext ctx, String op, Runnable handler) {
        withFault(ctx, faults.next(op), handler);
    }

    private static JsonObject body(RoutingContext ctx) {
        if (!ctx.body().available() || ctx.body().length() == 0) {
            return new JsonObject();
        }
        JsonObject o = ctx.body().asJsonObject();
        return o == null ? new JsonObject() : o;
    }

    private static JsonObject jsonParam(RoutingContext ctx, String name, JsonObject def) {
        String v = ctx.request().getParam(name);
        return v == null || v.isBlank() ? def : new JsonObject(v);
    }

    private static long parseId(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("id must be an integer: " + s);
        }
    }
}
