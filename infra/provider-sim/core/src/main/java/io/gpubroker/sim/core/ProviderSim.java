package io.gpubroker.sim.core;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Base of one provider simulator: the provider's API routes (auth and fault injection applied
 * around each), the common control API under {@code /_sim}, instance bookkeeping, SSH hosts and
 * clock-scaled timers. Everything runs on the simulator's Vert.x event loop, so provider code
 * needs no locks; only blocking SSH binds go to a worker.
 *
 * <p>Control API (same port as the provider API):
 * <ul>
 *   <li>{@code GET /_sim/info} — name, base URL, control URL, API key</li>
 *   <li>{@code POST /_sim/reset} — drop instances (closing their SSH servers), faults and state</li>
 *   <li>{@code GET|POST|DELETE /_sim/faults} — list, add ({@link Faults.Rule}) or clear fault rules</li>
 *   <li>{@code GET /_sim/instances} — every instance ever created with state and accrued cost</li>
 *   <li>{@code POST /_sim/orphans} {@code {"tag": "..."}} — a running instance nobody asked for</li>
 *   <li>{@code POST /_sim/instances/{id}/faults} {@code {"kind": "..."}} — dies, host_offline,
 *       ssh_reject, ssh_never_open, gpu_mismatch, cuda_mismatch, app_never_healthy, app_crash, app_inference_fails,
 *       image_pull_failed</li>
 *   <li>{@code POST /_sim/instances/{id}/gpu-util} {@code {"pct": 73}} — what nvidia-smi reports</li>
 *   <li>{@code POST /_sim/instances/{id}/rotate-host-key} — the instance's SSH server presents a new host key
 *       from its next connection on (a reinstalled or impersonated host)</li>
 *   <li>{@code GET|POST /_sim/config} — read / set settings ({@code {"key": "value"}}, null removes);
 *       they apply where they are read at use time, e.g. {@code app.model-load-seconds} when an app starts</li>
 * </ul>
 *
 * <p>Apps: every instance's SSH host answers {@code docker run -p H:C IMAGE ...} by starting a real
 * HTTP model server ({@link AppServer}) on the external loopback port published for VM port H
 * ({@link Apps}); it reports healthy after {@code app.model-load-seconds} (default 60, per provider
 * {@code <name>.app.model-load-seconds}) of simulated time.
 *
 * <p>The helpers a handler needs (timers, SSH, apps, faults, JSON replies) are public so a simulator
 * can keep its route groups in classes of their own beside its {@code ProviderSim} subclass.
 */
public abstract class ProviderSim {

    protected final String name;
    protected final SimConfig config;
    protected final SimClock clock;
    protected final Faults faults;
    protected final Random random;
    /** Random parts of ids: never seeded, so a restarted simulator does not hand out its earlier ids again. */
    protected final Random idRandom = new SecureRandom();
    /** All instances by native id, including destroyed ones (for leak checks). */
    protected final Map<String, SimInstance> instances = new LinkedHashMap<>();

    protected Vertx vertx;
    private int port;

    protected ProviderSim(String name, SimConfig config, SimClock clock) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        long seed = config.getInt("seed", 42) + name.hashCode();
        this.faults = new Faults(seed);
        this.random = new Random(seed);
    }

    public String name() {
        return name;
    }

    /** The API key the broker must present (configurable: {@code <name>.api-key}). */
    public String apiKey() {
        return config.get(name + ".api-key", "sim-" + name + "-key");
    }

    /** Path prefix of the provider API, e.g. {@code /api/v0}; the broker's base URL ends with it. */
    public abstract String basePath();

    /** Registers the provider's own endpoints with {@link #api}. */
    protected abstract void configureApi(Router router);

    /** Writes the provider's own error body. */
    protected abstract void error(RoutingContext ctx, int status, String message);

    /** Writes the provider's 401/403 for a missing or wrong key. */
    protected void unauthorized(RoutingContext ctx) {
        error(ctx, 401, "Unauthorized");
    }

    /** True when the request carries the provider's credentials the provider's way. Default: Bearer. */
    protected boolean authorized(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        return h != null && h.equals("Bearer " + apiKey());
    }

    /** Writes the provider's "HTTP 200 but it failed" body (TensorDock style); default: a 400. */
    protected void error200(RoutingContext ctx, String message) {
        error(ctx, 400, message);
    }

    /** Writes the provider's 429. */
    protected void rateLimited(RoutingContext ctx, Integer retryAfterSeconds) {
        if (retryAfterSeconds != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        error(ctx, 429, "Too Many Requests");
    }

    /** Creates a running, tagged instance the broker never asked for (orphan fault). */
    protected abstract SimInstance createOrphan(String tag, JsonObject body);

    /** Applies a provider-state fault ({@code dies}, {@code host_offline}); SSH/GPU faults are handled here. */
    protected abstract void applyStateFault(SimInstance instance, String kind);

    /** Clears provider-specific state (capacity, keys, ...) on reset. */
    protected void resetProviderState() {}

    /** Adds provider-specific control endpoints under {@code /_sim}. */
    protected void configureControl(Router router) {}

    public int port() {
        return port;
    }

    /** The simulator's settings (read at use time, changed through {@code /_sim/config}). */
    public SimConfig config() {
        return config;
    }

    /** The simulator's seeded random (seed + name): the same settings give the same run. */
    public Random random() {
        return random;
    }

    /** The simulated clock this simulator runs on (tests advance it). */
    public SimClock clock() {
        return clock;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port + basePath();
    }

    public String controlUrl() {
        return "http://127.0.0.1:" + port + "/_sim";
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("base_url", baseUrl());
        m.put("control_url", controlUrl());
        m.put("api_key", apiKey());
        m.put("port", port);
        return m;
    }

    /** Builds the router; called once by {@link Simulators} on the simulator's own context. */
    public Router router(Vertx vx) {
        this.vertx = vx;
        Router router = Router.router(vx);
        router.route().handler(BodyHandler.create().setBodyLimit(1_048_576));
        configureCommonControl(router);
        configureControl(router);
        configureApi(router);
        router.route().last().handler(ctx -> error(ctx, 404, "Not Found"));
        return router;
    }

    void bound(int actualPort) {
        this.port = actualPort;
    }

    /** Registers a provider endpoint named {@code op}: auth first, then faults, then {@code handler}. */
    protected void api(Router router, HttpMethod method, String path, String op, Handler<RoutingContext> handler) {
        router.route(method, path).handler(ctx -> {
            if (!authorized(ctx)) {
                unauthorized(ctx);
                return;
            }
            withFault(ctx, faults.next(op), () -> handler.handle(ctx));
        });
    }

    /**
     * Answers with {@code fault} (status, 429, 200-with-error, after its delay) or runs
     * {@code proceed}. Providers whose one path carries several operations (Trooper's
     * order-status actions, Vast's instance PUT) apply their finer op names through this too.
     */
    public void withFault(RoutingContext ctx, java.util.Optional<Faults.Rule> fault, Runnable proceed) {
        if (fault.isEmpty()) {
            proceed.run();
            return;
        }
        Faults.Rule r = fault.get();
        Runnable apply = () -> {
            if (r.status() != null && r.status() == 429) {
                rateLimited(ctx, r.retryAfter());
            } else if (r.status() != null) {
                if (r.retryAfter() != null) {
                    ctx.response().putHeader("Retry-After", String.valueOf(r.retryAfter()));
                }
                error(ctx, r.status(), r.message() != null ? r.message() : "injected fault");
            } else if (r.isError200()) {
                error200(ctx, r.message() != null ? r.message() : "injected fault");
            } else {
                proceed.run();
            }
        };
        if (r.delayMs() != null && r.delayMs() > 0) {
            vx().setTimer(r.delayMs(), t -> {
                if (!ctx.response().closed() && !ctx.response().ended() || r.isApplied()) {
                    // "applied": the provider did the work though the client had gone (its answer is lost)
                    try {
                        apply.run();
                    } catch (IllegalStateException lostAnswer) {
                        // writing to the closed connection: the effect happened, nobody hears of it
                    }
                }
            });
        } else {
            apply.run();
        }
    }

    public Vertx vx() {
        return vertx;
    }

    /** Runs {@code action} after {@code simulated} time has passed on the shared clock. */
    public long after(Duration simulated, Runnable action) {
        return vertx.setTimer(clock.realMillis(simulated), id -> action.run());
    }

    /** A configured simulated duration for this provider: {@code <name>.<key>} (seconds or ISO). */
    public Duration timing(String key, Duration def) {
        return config.getDuration(name + "." + key, def);
    }

    public Instant now() {
        return clock.now();
    }

    /** Simulated time a model server takes to load: {@code <name>.app.model-load-seconds}, else {@code app.model-load-seconds} (60). */
    protected Duration modelLoadTime() {
        return config.getDuration(
                name + ".app.model-load-seconds", config.getDuration("app.model-load-seconds", Duration.ofSeconds(60)));
    }

    /** The instance's apps (model servers, published ports), created on first use. */
    public Apps apps(SimInstance inst) {
        if (inst.apps == null) {
            inst.apps = new Apps(inst, clock, this::modelLoadTime);
        }
        return inst.apps;
    }

    /** Runs blocking {@code work} (binding or closing servers) off the event loop. */
    public void blocking(Runnable work) {
        vertx.executeBlocking(
                () -> {
                    work.run();
                    return null;
                },
                false);
    }

    /** Attaches the next queued instance fault (if any) to a newly created instance. */
    public void takeInstanceFault(SimInstance inst) {
        inst.fault = faults.nextInstanceFault().orElse(null);
    }

    /**
     * Opens the instance's SSH server (off the event loop), honouring its SSH/GPU faults, then
     * calls {@code whenOpen} back on the event loop. Keys to accept are added by the caller
     * (before or after) with {@link SshHost#authorize}.
     */
    public void openSsh(SimInstance inst, String user, Consumer<SshHost> whenOpen) {
        GpuSpec gpu = inst.offeredGpu;
        if ("gpu_mismatch".equals(inst.fault)) {
            gpu = gpu.withName(gpu.name().equals("RTX 3090") ? "RTX 4090" : "RTX 3090");
        } else if ("cuda_mismatch".equals(inst.fault)) {
            gpu = gpu.withCuda("11.8");
        }
        SshHost.Mode mode = "ssh_reject".equals(inst.fault)
                ? SshHost.Mode.REJECT_KEYS
                : "ssh_never_open".equals(inst.fault) ? SshHost.Mode.NEVER_OPEN : SshHost.Mode.NORMAL;
        SshHost host = inst.ssh != null ? inst.ssh : new SshHost(user, name + "-" + inst.id, gpu, mode);
        host.setDocker(apps(inst));
        inst.ssh = host;
        vertx.<SshHost>executeBlocking(() -> host.start(), false).onComplete(ar -> {
            if (ar.succeeded()) {
                if (inst.destroyed) {
                    host.close();
                } else {
                    whenOpen.accept(host);
                    Apps apps = inst.apps;
                    if (apps != null && !inst.destroyed) {
                        // the machine is up (again): docker restarts containers by their restart policy
                        blocking(apps::resumeAfterBoot);
                    }
                }
            }
        });
    }

    /**
     * Closes the instance's SSH server and stops its apps (a stopped, dead or deleted machine
     * serves nothing), off the event loop.
     */
    public void closeSsh(SimInstance inst) {
        SshHost host = inst.ssh;
        Apps apps = inst.apps;
        if (host != null || apps != null) {
            blocking(() -> {
                if (host != null) {
                    host.close();
                }
                if (apps != null) {
                    apps.closeAll();
                }
            });
        }
    }

    /** Stops the instance's apps only (the machine stays up), off the event loop. */
    public void closeApps(SimInstance inst) {
        Apps apps = inst.apps;
        if (apps != null) {
            blocking(apps::closeAll);
        }
    }

    /** Marks destroyed, stops billing, closes SSH and stops the apps: the common part of every destroy. */
    public void markDestroyed(SimInstance inst) {
        inst.destroyed = true;
        inst.stopBilling(now());
        closeSsh(inst);
    }

    protected List<SimInstance> live() {
        List<SimInstance> out = new ArrayList<>();
        for (SimInstance i : instances.values()) {
            if (!i.destroyed) {
                out.add(i);
            }
        }
        return out;
    }

    public static void json(RoutingContext ctx, int status, Object body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body instanceof String s ? s : io.vertx.core.json.Json.encode(body));
    }

    private void configureCommonControl(Router router) {
        router.get("/_sim/info").handler(ctx -> json(ctx, 200, describe()));
        router.post("/_sim/reset").handler(ctx -> {
            for (SimInstance i : instances.values()) {
                // marking destroyed also stops SSH servers still starting and makes pending timers no-ops
                markDestroyed(i);
            }
            instances.clear();
            faults.clear();
            resetProviderState();
            json(ctx, 200, Map.of("reset", true));
        });
        router.get("/_sim/config").handler(ctx -> json(ctx, 200, config.asMap()));
        router.post("/_sim/config").handler(ctx -> {
            JsonObject body = ctx.body().available() ? ctx.body().asJsonObject() : null;
            if (body == null || body.isEmpty()) {
                json(
                        ctx,
                        400,
                        Map.of("error", "a JSON object of settings is required, e.g. {\"app.model-load-seconds\": 5}"));
                return;
            }
            Map<String, Object> changed = new LinkedHashMap<>();
            body.forEach(e -> {
                if (e.getValue() == null) {
                    config.remove(e.getKey());
                } else {
                    config.set(e.getKey(), String.valueOf(e.getValue()));
                }
                changed.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue()));
            });
            json(ctx, 200, changed);
        });
        router.get("/_sim/faults").handler(ctx -> json(ctx, 200, Map.of("faults", faults.list())));
        router.delete("/_sim/faults").handler(ctx -> {
            faults.clear();
            json(ctx, 200, Map.of("faults", List.of()));
        });
        router.post("/_sim/faults").handler(ctx -> {
            try {
                Faults.Rule rule = ctx.body().asJsonObject().mapTo(Faults.Rule.class);
                faults.add(rule);
                json(ctx, 201, rule);
            } catch (RuntimeException e) {
                json(ctx, 400, Map.of("error", "bad fault rule: " + rootMessage(e)));
            }
        });
        router.get("/_sim/instances").handler(ctx -> {
            Instant now = now();
            List<Map<String, Object>> views = new ArrayList<>();
            BigDecimal total = BigDecimal.ZERO;
            int live = 0;
            for (SimInstance i : instances.values()) {
                views.add(i.controlView(now));
                total = total.add(i.accrued(now));
                live += i.destroyed ? 0 : 1;
            }
            json(ctx, 200, Map.of("provider", name, "instances", views, "live", live, "total_accrued_cost", total));
        });
        router.post("/_sim/orphans").handler(ctx -> {
            JsonObject body = ctx.body().available() ? ctx.body().asJsonObject() : new JsonObject();
            String tag = body == null ? null : body.getString("tag");
            if (tag == null || tag.isBlank()) {
                json(ctx, 400, Map.of("error", "tag is required"));
                return;
            }
            SimInstance inst = createOrphan(tag, body);
            json(ctx, 201, inst.controlView(now()));
        });
        router.post("/_sim/instances/:id/faults").handler(ctx -> {
            SimInstance inst = instances.get(ctx.pathParam("id"));
            JsonObject body = ctx.body().available() ? ctx.body().asJsonObject() : null;
            String kind = body == null ? null : body.getString("kind");
            if (inst == null || inst.destroyed) {
                json(ctx, 404, Map.of("error", "no live instance " + ctx.pathParam("id")));
                return;
            }
            if (kind == null) {
                json(ctx, 400, Map.of("error", "kind is required"));
                return;
            }
            switch (kind) {
                case "ssh_reject" -> {
                    if (inst.ssh != null) {
                        inst.ssh.setMode(SshHost.Mode.REJECT_KEYS);
                    }
                    inst.fault = kind;
                }
                case "gpu_mismatch", "cuda_mismatch" -> {
                    inst.fault = kind;
                    if (inst.ssh != null) {
                        GpuSpec g = inst.ssh.gpu();
                        inst.ssh.setGpu(
                                kind.equals("cuda_mismatch")
                                        ? g.withCuda("11.8")
                                        : g.withName(g.name().equals("RTX 3090") ? "RTX 4090" : "RTX 3090"));
                    }
                }
                case "ssh_never_open" -> {
                    inst.fault = kind;
                    closeSsh(inst);
                }
                case "app_never_healthy", "app_crash", "image_pull_failed", "app_inference_fails" -> {
                    // later starts read the fault from the instance (a Vast image pull still to come fails)
                    inst.fault = kind;
                    Apps apps = apps(inst);
                    vertx.executeBlocking(
                                    () -> {
                                        apps.fault(kind);
                                        return null;
                                    },
                                    false)
                            .onComplete(ar -> json(ctx, 200, inst.controlView(now())));
                    return;
                }
                default -> {
                    try {
                        applyStateFault(inst, kind);
                    } catch (IllegalArgumentException e) {
                        json(ctx, 400, Map.of("error", e.getMessage()));
                        return;
                    }
                }
            }
            json(ctx, 200, inst.controlView(now()));
        });
        router.post("/_sim/instances/:id/rotate-host-key").handler(ctx -> {
            SimInstance inst = instances.get(ctx.pathParam("id"));
            if (inst == null || inst.ssh == null) {
                json(ctx, 404, Map.of("error", "no instance with SSH " + ctx.pathParam("id")));
                return;
            }
            inst.ssh.rotateHostKey();
            json(ctx, 200, inst.controlView(now()));
        });
        router.post("/_sim/instances/:id/gpu-util").handler(ctx -> {
            SimInstance inst = instances.get(ctx.pathParam("id"));
            JsonObject body = ctx.body().available() ? ctx.body().asJsonObject() : null;
            if (inst == null || inst.ssh == null) {
                json(ctx, 404, Map.of("error", "no instance with SSH " + ctx.pathParam("id")));
                return;
            }
            Integer pct = body == null ? null : body.getInteger("pct");
            if (pct == null || pct < 0 || pct > 100) {
                json(ctx, 400, Map.of("error", "pct must be 0..100"));
                return;
            }
            inst.ssh.setGpuUtilPct(pct);
            json(ctx, 200, inst.controlView(now()));
        });
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
