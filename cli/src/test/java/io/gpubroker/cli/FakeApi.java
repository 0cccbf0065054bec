package io.gpubroker.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A JDK HttpServer standing in for the API in formatting and parsing tests only: canned answers by
 * "METHOD path?query". The CLI's behaviour against the real broker is proven by the e2e CliTests.
 */
final class FakeApi implements AutoCloseable {
    record Answer(int status, String contentType, String body) {}

    private final HttpServer server;
    private final Map<String, Function<HttpExchange, Answer>> routes = new ConcurrentHashMap<>();
    final List<String> seen = new CopyOnWriteArrayList<>();
    final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();

    FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    FakeApi json(String route, int status, String body) {
        routes.put(route, x -> new Answer(status, "application/json", body));
        return this;
    }

    FakeApi answer(String route, Function<HttpExchange, Answer> f) {
        routes.put(route, f);
        return this;
    }

    private void handle(HttpExchange x) throws IOException {
        String key = x.getRequestMethod() + " " + x.getRequestURI();
        seen.add(key);
        headers.add(Map.copyOf(x.getRequestHeaders()));
        Function<HttpExchange, Answer> f = routes.get(key);
        if (f == null) {
            f = routes.get(x.getRequestMethod() + " " + x.getRequestURI().getPath());
        }
        Answer a = f == null
                ? new Answer(404, "application/json", "{\"error\":\"no route " + key + "\",\"request_id\":\"rid-404\"}")
                : f.apply(x);
        byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", a.contentType());
        x.sendResponseHeaders(a.status(), b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(b);
            }
        }
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
