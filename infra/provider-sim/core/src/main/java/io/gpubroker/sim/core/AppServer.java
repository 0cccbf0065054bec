package io.gpubroker.sim.core;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A simulated model server (vLLM / TGI style) behind one published port: a real HTTP server on
 * 127.0.0.1 that answers like the server does while it loads its model and once it is ready.
 * <ul>
 *   <li>{@code GET /health} → 503 {@code {"status":"loading"}} until the model has loaded
 *       ({@code loadTime} of SIMULATED time after the start), then 200 {@code {"status":"ok"}}</li>
 *   <li>{@code GET /v1/models} → 200 {@code {"object":"list","data":[{"id":model,"object":"model","owned_by":"gpubroker-sim"}]}}
 *       once loaded, 503 before</li>
 *   <li>{@code GET /} → 200 {@code {"image","model","port"}} (port: the one it listens on in its
 *       container); anything else 404</li>
 * </ul>
 * Also {@code POST /v1/completions} and {@code /v1/chat/completions} (canned text for the loaded model).
 * Faults: {@link #neverHealthy()} keeps it loading forever; {@link #inferenceFails()} fails completions; {@link #crashAt} / {@link #crash()}
 * close it, after which connections are refused. Thread-safe.
 */
public final class AppServer implements AutoCloseable {

    /** What the server is doing, as the control view reports it. */
    public enum State {
        LOADING,
        HEALTHY,
        CRASHED,
        STOPPED
    }

    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sim-app-timers");
        t.setDaemon(true);
        return t;
    });

    private final String image;
    private final String model;
    private final int vmPort;
    private final int containerPort;
    private final SimClock clock;
    private final Duration loadTime;
    private final Instant startedAt;
    private volatile boolean neverHealthy;
    private volatile boolean inferenceFails;
    private volatile Instant crashAt;
    private volatile boolean crashed;
    private volatile boolean closed;
    private HttpServer server;
    private int port;

    /**
     * @param vmPort        the VM's port published for the app (the {@code H} of {@code -p H:C})
     * @param containerPort the port the server listens on in its container (the {@code C})
     * @param loadTime      simulated time the model takes to load
     */
    public AppServer(String image, String model, int vmPort, int containerPort, SimClock clock, Duration loadTime) {
        this.image = image;
        this.model = model;
        this.vmPort = vmPort;
        this.containerPort = containerPort;
        this.clock = clock;
        this.loadTime = loadTime;
        this.startedAt = clock.now();
    }

    /** Binds 127.0.0.1:{@code externalPort} (0 = any free port). Blocking. */
    public synchronized AppServer start(int externalPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", externalPort), 16);
        s.createContext("/", this::handle);
        s.setExecutor(null);
        s.start();
        server = s;
        port = s.getAddress().getPort();
        return this;
    }

    public int port() {
        return port;
    }

    public int vmPort() {
        return vmPort;
    }

    public int containerPort() {
        return containerPort;
    }

    public String image() {
        return image;
    }

    public String model() {
        return model;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The model has loaded (and no fault keeps it loading). */
    public boolean loaded() {
        return !neverHealthy && !clock.now().isBefore(startedAt.plus(loadTime));
    }

    /** Listening and answering {@code /health} with 200. */
    public boolean healthy() {
        return listening() && loaded();
    }

    public synchronized boolean listening() {
        return server != null && !closed;
    }

    public State state() {
        if (crashed) {
            return State.CRASHED;
        }
        if (!listening()) {
            return State.STOPPED;
        }
        return loaded() ? State.HEALTHY : State.LOADING;
    }

    /** Fault {@code app_never_healthy}: {@code /health} stays 503 for good. */
    public void neverHealthy() {
        neverHealthy = true;
    }

    /**
     * Fault {@code app_inference_fails}: healthy, models listed, but every completion fails as vLLM
     * does on a host whose CUDA is older than the image needs (the offer overstated it).
     */
    public void inferenceFails() {
        inferenceFails = true;
    }

    /** Fault {@code app_crash}: the server process dies at simulated time {@code when}. */
    public void crashAt(Instant when) {
        crashAt = when;
        long wait = Math.max(1, clock.realMillis(Duration.between(clock.now(), when)));
        TIMERS.schedule(this::crashIfDue, wait, TimeUnit.MILLISECONDS);
    }

    /** Fault {@code app_crash} now: the port refuses connections from here on. */
    public void crash() {
        crashed = true;
        close();
    }

    private void crashIfDue() {
        Instant due = crashAt;
        if (due == null || crashed || closed) {
            return;
        }
        if (!clock.now().isBefore(due)) {
            crash();
        } else {
            TIMERS.schedule(
                    this::crashIfDue,
                    Math.max(1, clock.realMillis(Duration.between(clock.now(), due))),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        HttpServer s;
        synchronized (this) {
            closed = true;
            s = server;
        }
        if (s != null) {
            s.stop(0);
        }
    }

    /** The control view's entry: {@code vm_port, external_port, image, model, healthy, state}. */
    public Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vm_port", vmPort);
        m.put("external_port", port);
        m.put("container_port", containerPort);
        m.put("image", image);
        m.put("model", model);
        m.put("healthy", healthy());
        m.put("state", state().name().toLowerCase());
        m.put("started_at", startedAt.toString());
        return m;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            Instant due = crashAt;
            if (crashed || closed || due != null && !clock.now().isBefore(due)) {
                // the process is gone: drop the connection without an answer, then stop listening
                crashed = true;
                Thread t = new Thread(this::crash, "sim-app-crash");
                t.setDaemon(true);
                t.start();
                return;
            }
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            boolean read = method.equals("GET") || method.equals("HEAD");
            if (read && path.equals("/health")) {
                if (loaded()) {
                    send(ex, 200, Map.of("status", "ok"));
                } else {
                    send(ex, 503, Map.of("status", "loading"));
                }
            } else if (read && path.equals("/v1/models")) {
                if (loaded()) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("id", model);
                    entry.put("object", "model");
                    entry.put("owned_by", "gpubroker-sim");
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("object", "list");
                    body.put("data", List.of(entry));
                    send(ex, 200, body);
                } else {
                    send(ex, 503, Map.of("status", "loading"));
                }
            } else if (method.equals("POST")
                    && (path.equals("/v1/completions") || path.equals("/v1/chat/completions"))) {
                complete(ex, path.endsWith("chat/completions"));
            } else if (read && path.equals("/")) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("image", image);
                body.put("model", model);
                body.put("port", containerPort);
                send(ex, 200, body);
            } else {
                send(ex, 404, Map.of("detail", "Not Found"));
            }
        } finally {
            ex.close();
        }
    }

    /** An OpenAI-style completion: the requested model must be the loaded one; the text is canned. */
    private void complete(HttpExchange ex, boolean chat) throws IOException {
        if (!loaded()) {
            send(ex, 503, Map.of("status", "loading"));
            return;
        }
        io.vertx.core.json.JsonObject req;
        try {
            req = new io.vertx.core.json.JsonObject(
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            send(
                    ex,
                    400,
                    Map.of(
                            "object",
                            "error",
                            "message",
                            "request body is not JSON",
                            "type",
                            "BadRequestError",
                            "code",
                            400));
            return;
        }
        String asked = req.getValue("model") instanceof String m ? m : null;
        if (asked == null || !asked.equals(model)) {
            send(
                    ex,
                    404,
                    Map.of(
                            "object",
                            "error",
                            "message",
                            "The model `" + asked + "` does not exist.",
                            "type",
                            "NotFoundError",
                            "code",
                            404));
            return;
        }
        if (inferenceFails) {
            send(
                    ex,
                    500,
                    Map.of(
                            "object",
                            "error",
                            "message",
                            "CUDA error: the provided PTX was compiled with an unsupported toolchain.",
                            "type",
                            "InternalServerError",
                            "code",
                            500));
            return;
        }
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (chat) {
            choice.put("message", Map.of("role", "assistant", "content", "pong"));
        } else {
            choice.put("text", " pong");
        }
        choice.put("finish_reason", "length");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", (chat ? "chatcmpl-" : "cmpl-") + Long.toHexString(System.nanoTime()));
        body.put("object", chat ? "chat.completion" : "text_completion");
        body.put("created", clock.now().getEpochSecond());
        body.put("model", model);
        body.put("choices", List.of(choice));
        body.put("usage", Map.of("prompt_tokens", 1, "completion_tokens", 1, "total_tokens", 2));
        send(ex, 200, body);
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = Json.encode(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
