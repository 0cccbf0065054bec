package io.gpubroker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Inventory search through the api-gateway against the same search sent straight to
 * inventory-service, with one client, in one run: rounds alternate direct / gateway (admin key) /
 * gateway (consumer key), each a closed loop of {@code concurrency} keep-alive connections over the
 * same filter mixes. Prints req/s and latency per round and the gateway's share of the direct
 * throughput and its p50 overhead (median of the rounds). Only loopback targets; bounded in time.
 *
 * <p>Usage: {@code ./broker bench gateway [seconds=10] [concurrency=16] [rounds=3]} with
 * {@code ./broker up} running; or, for services started by hand, {@code -Dbench.gateway=URL
 * -Dbench.inventory=URL -Dbench.admin-key=KEY -Dbench.internal-token=TOKEN -Dbench.gateway-pid=PID
 * -Dbench.inventory-pid=PID}. CPU per request is read from /proc for both server processes. The consumer-key
 * rounds count 429s as errors unless the gateway runs with a high {@code BROKER_RATE_LIMIT_*}.
 */
public final class GatewayBench {
    static final List<String> QUERIES = List.of(
            "/inventory?gpu_type=RTX%204090&max_price=0.6&limit=5",
            "/inventory?limit=20",
            "/inventory?provider=vastai&limit=10",
            "/inventory?min_vram=24&limit=10",
            "/inventory?gpu_type=A100&limit=5",
            "/inventory?max_price=1.0&min_availability_confidence=0.5&limit=10");

    private GatewayBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path root = Path.of(System.getProperty("broker.root", "."));
        Path stateDir = root.resolve(".broker/" + System.getProperty("broker.profile", "local"));
        URI gateway = URI.create(setting("bench.gateway", () -> component(stateDir, "api-gateway")));
        URI inventory = URI.create(setting("bench.inventory", () -> component(stateDir, "inventory-service")));
        String admin = setting("bench.admin-key", () -> read(stateDir.resolve("admin-key")));
        String internal = setting("bench.internal-token", () -> read(stateDir.resolve("internal-token")));
        String consumerKey = newConsumerKey(gateway, admin);
        // CPU time per request of each server process (load-independent, unlike req/s on shared cores)
        long gatewayPid = Long.parseLong(setting("bench.gateway-pid", () -> pid(stateDir, "api-gateway")));
        long inventoryPid = Long.parseLong(setting("bench.inventory-pid", () -> pid(stateDir, "inventory-service")));

        System.out.printf(
                Locale.ROOT,
                "machine: %d cores, %s, java %s, load average %.2f; %d s per round, %d connections, %d rounds%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version"),
                loadAverage(),
                seconds,
                concurrency,
                rounds);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        HttpClient client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
        List<Target> targets = List.of(
                new Target("direct", inventory, "", "X-Broker-Internal-Token", internal),
                new Target("gateway (admin key)", gateway, "/api/v1", "Authorization", "Bearer " + admin),
                new Target("gateway (consumer key)", gateway, "/api/v1", "Authorization", "Bearer " + consumerKey));
        List<List<Result>> results = new ArrayList<>();
        targets.forEach(t -> results.add(new ArrayList<>()));
        try {
            for (Target t : targets) {
                run(client, t, 3, concurrency); // warm-up: JIT, connection pools, key cache
            }
            for (int r = 1; r <= rounds; r++) {
                for (int i = 0; i < targets.size(); i++) {
                    long g0 = cpuNanos(gatewayPid);
                    long i0 = cpuNanos(inventoryPid);
                    Result res = run(client, targets.get(i), seconds, concurrency)
                            .withCpu(cpuNanos(gatewayPid) - g0, cpuNanos(inventoryPid) - i0);
                    results.get(i).add(res);
                    System.out.printf(
                            Locale.ROOT,
                            "round %d  %-24s %s%n",
                            r,
                            targets.get(i).name(),
                            res);
                }
            }
        } finally {
            client.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        double directRps = median(results.get(0), Result::rps);
        double directP50 = median(results.get(0), Result::p50);
        System.out.printf(
                Locale.ROOT,
                "SUMMARY direct                   CPU/request: inventory %.3f ms%n",
                median(results.get(0), Result::inventoryCpuMs));
        for (int i = 1; i < targets.size(); i++) {
            double rps = median(results.get(i), Result::rps);
            double p50 = median(results.get(i), Result::p50);
            System.out.printf(
                    Locale.ROOT,
                    "SUMMARY %-24s CPU/request: gateway %.3f ms, inventory %.3f ms%n",
                    targets.get(i).name(),
                    median(results.get(i), Result::gatewayCpuMs),
                    median(results.get(i), Result::inventoryCpuMs));
            System.out.printf(
                    Locale.ROOT,
                    "SUMMARY %-24s %,.0f req/s = %.0f %% of direct (%,.0f req/s); p50 %.3f ms vs %.3f ms: overhead %.3f ms%n",
                    targets.get(i).name(),
                    rps,
                    100 * rps / directRps,
                    directRps,
                    p50,
                    directP50,
                    p50 - directP50);
        }
        System.out.printf(Locale.ROOT, "load average at the end %.2f%n", loadAverage());
    }

    /** One side of the comparison: where the search goes and how it authenticates. */
    record Target(String name, URI base, String prefix, String header, String value) {}

    /** The figures of one round. */
    record Result(
            int requests,
            double seconds,
            long errors,
            double p50,
            double p90,
            double p99,
            double max,
            double gatewayCpuMs,
            double inventoryCpuMs) {
        double rps() {
            return requests / seconds;
        }

        /** The same figures with the CPU each server spent per request in the round. */
        Result withCpu(long gatewayNanos, long inventoryNanos) {
            return new Result(
                    requests,
                    seconds,
                    errors,
                    p50,
                    p90,
                    p99,
                    max,
                    gatewayNanos / 1e6 / Math.max(1, requests),
                    inventoryNanos / 1e6 / Math.max(1, requests));
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%,8.0f req/s  p50 %.3f  p90 %.3f  p99 %.3f  max %.1f ms  errors %d"
                            + "  CPU/request: gateway %.3f ms, inventory %.3f ms",
                    rps(),
                    p50,
                    p90,
                    p99,
                    max,
                    errors,
                    gatewayCpuMs,
                    inventoryCpuMs);
        }
    }

    interface Figure {
        double of(Result r);
    }

    static double median(List<Result> rs, Figure f) {
        double[] v = rs.stream().mapToDouble(f::of).sorted().toArray();
        return v[v.length / 2];
    }

    static Result run(HttpClient client, Target t, int seconds, int concurrency) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[] lat = new long[5_000_000];
        AtomicInteger n = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        AtomicInteger seq = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        long t0 = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            next(client, t, end, lat, n, errors, seq, done);
        }
        if (!done.await(seconds + 30L, TimeUnit.SECONDS)) {
            errors.incrementAndGet();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        int count = Math.min(n.get(), lat.length);
        long[] s = Arrays.copyOf(lat, count);
        Arrays.sort(s);
        return new Result(
                count,
                elapsed,
                errors.get(),
                ms(s, 0.5),
                ms(s, 0.9),
                ms(s, 0.99),
                count == 0 ? 0 : s[count - 1] / 1e6,
                0,
                0);
    }

    private static void next(
            HttpClient client,
            Target t,
            long end,
            long[] lat,
            AtomicInteger n,
            AtomicLong errors,
            AtomicInteger seq,
            CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        String uri = t.prefix() + QUERIES.get(Math.floorMod(seq.getAndIncrement(), QUERIES.size()));
        long start = System.nanoTime();
        client.request(new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setHost(t.base().getHost())
                        .setPort(t.base().getPort())
                        .setURI(uri))
                .compose(req -> req.putHeader(t.header(), t.value()).send().compose(resp -> {
                    if (resp.statusCode() != 200) {
                        errors.incrementAndGet();
                    }
                    return resp.body();
                }))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        errors.incrementAndGet();
                    }
                    int i = n.getAndIncrement();
                    if (i < lat.length) {
                        lat[i] = System.nanoTime() - start;
                    }
                    next(client, t, end, lat, n, errors, seq, done);
                });
    }

    private static double ms(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A consumer of the bench's own, through the admin API (its key goes through the key cache). */
    static String newConsumerKey(URI gateway, String admin) throws Exception {
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(gateway.resolve("/api/v1/consumers"))
                                .header("Authorization", "Bearer " + admin)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"consumer_id\":\"" + id + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("cannot create a consumer: " + r.statusCode() + " " + r.body());
        }
        return (String) new ObjectMapper().readValue(r.body(), Map.class).get("api_key");
    }

    interface Lookup {
        String get() throws Exception;
    }

    static String setting(String property, Lookup fallback) throws Exception {
        String v = System.getProperty(property);
        return v != null ? v : fallback.get();
    }

    @SuppressWarnings("unchecked")
    static String component(Path stateDir, String name) throws Exception {
        Map<String, Object> state =
                new ObjectMapper().readValue(stateDir.resolve("state.json").toFile(), Map.class);
        for (Map<String, Object> c : (List<Map<String, Object>>) state.get("components")) {
            if (name.equals(c.get("name"))) {
                return (String) c.get("url");
            }
        }
        throw new IllegalStateException(name + " is not in " + stateDir.resolve("state.json") + ": ./broker up first");
    }

    @SuppressWarnings("unchecked")
    static String pid(Path stateDir, String name) throws Exception {
        Map<String, Object> state =
                new ObjectMapper().readValue(stateDir.resolve("state.json").toFile(), Map.class);
        for (Map<String, Object> c : (List<Map<String, Object>>) state.get("components")) {
            if (name.equals(c.get("name"))) {
                return String.valueOf(c.get("pid"));
            }
        }
        throw new IllegalStateException(name + " is not in " + stateDir.resolve("state.json"));
    }

    /** User + system CPU time of a process from /proc (Linux), in nanoseconds. */
    static long cpuNanos(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // fields after the command name (which may hold spaces) start after the last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    static String read(Path file) throws Exception {
        return Files.readString(file).trim();
    }
}
