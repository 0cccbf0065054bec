package io.gpubroker.sim.core;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts simulators, each on its own port and its own event loop, in this JVM. Used by the local
 * stack ({@link SimMain}) and embedded by tests ({@code Simulators.start(config, clock, "vastai")}).
 */
public final class Simulators implements AutoCloseable {

    /** Provider name → simulator class; the order is the default port order. */
    public static final Map<String, String> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("vastai", "io.gpubroker.sim.vastai.VastAiSim");
        KNOWN.put("tensordock", "io.gpubroker.sim.tensordock.TensorDockSim");
        KNOWN.put("rackrr", "io.gpubroker.sim.rackrr.RackrrSim");
        KNOWN.put("barrack", "io.gpubroker.sim.barrack.BarrackSim");
        KNOWN.put("trooper", "io.gpubroker.sim.trooper.TrooperSim");
    }

    private final Vertx vertx;
    private final Map<String, ProviderSim> sims = new LinkedHashMap<>();

    private Simulators(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * Starts the named simulators (all when none named). Ports come from {@code <name>.port}
     * (0 = any free port).
     */
    public static Simulators start(SimConfig config, SimClock clock, String... names) {
        List<String> wanted = names.length == 0 ? new ArrayList<>(KNOWN.keySet()) : List.of(names);
        Simulators s = new Simulators(Vertx.vertx());
        try {
            for (String n : wanted) {
                ProviderSim sim = instantiate(n, config, clock);
                s.deploy(sim, config.getInt(n + ".port", 0));
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Starts one already-built simulator (tests that configure a simulator in code). */
    public static Simulators startOne(ProviderSim sim, int port) {
        Simulators s = new Simulators(Vertx.vertx());
        s.deploy(sim, port);
        return s;
    }

    private static ProviderSim instantiate(String name, SimConfig config, SimClock clock) {
        String cls = KNOWN.get(name);
        if (cls == null) {
            throw new IllegalArgumentException("unknown provider simulator: " + name);
        }
        try {
            Constructor<?> c = Class.forName(cls).getConstructor(SimConfig.class, SimClock.class);
            return (ProviderSim) c.newInstance(config, clock);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create simulator " + cls, e);
        }
    }

    private void deploy(ProviderSim sim, int port) {
        Promise<Integer> bound = Promise.promise();
        vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                HttpServer server = vertx.createHttpServer();
                server.requestHandler(sim.router(vertx))
                        .listen(port, "127.0.0.1")
                        .onComplete(ar -> {
                            if (ar.succeeded()) {
                                sim.bound(ar.result().actualPort());
                                started.complete();
                                bound.complete(ar.result().actualPort());
                            } else {
                                started.fail(ar.cause());
                                bound.tryFail(ar.cause());
                            }
                        });
            }
        });
        try {
            bound.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("simulator " + sim.name() + " could not listen on port " + port, e);
        }
        sims.put(sim.name(), sim);
    }

    public ProviderSim get(String name) {
        ProviderSim s = sims.get(name);
        if (s == null) {
            throw new IllegalArgumentException("simulator not started: " + name);
        }
        return s;
    }

    public Map<String, ProviderSim> all() {
        return sims;
    }

    /** Endpoints of every started simulator: name → {base_url, control_url, api_key, port}. */
    public Map<String, Map<String, Object>> describe() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        sims.forEach((n, s) -> out.put(n, s.describe()));
        return out;
    }

    @Override
    public void close() {
        for (ProviderSim s : sims.values()) {
            for (SimInstance i : s.instances.values()) {
                if (i.ssh != null) {
                    i.ssh.close();
                }
                if (i.apps != null) {
                    i.apps.closeAll();
                }
            }
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing on shutdown: nothing left to save
        }
    }
}
