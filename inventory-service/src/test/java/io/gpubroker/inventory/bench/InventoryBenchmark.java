package io.gpubroker.inventory.bench;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.Feed;
import io.gpubroker.inventory.catalog.CatalogIndex;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark harness, not a timed test: prints figures. Run with
 * {@code ./mvnw -o -pl inventory-service test -Dtest=InventoryBenchmark -Dbench=true}
 * (optional {@code -Dbench.offers=100000 -Dbench.seconds=20 -Dbench.concurrency=16}).
 * Ingests {@code bench.offers} offers over five bench providers through Kafka (first load: every offer
 * new; steady state: 1 % repriced), then drives {@code GET /inventory} with a closed-loop Vert.x client
 * ({@link LoadGenerator}) in its own JVM, started with {@code java -cp} (it still shares the machine's cores,
 * but not this JVM's heap, GC and JIT; {@code -Dbench.in-jvm=true} runs the first harness's in-JVM client),
 * and finally withdraws everything. CPU per request is this JVM's (the service's) CPU time over the run.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
@EnabledIfSystemProperty(named = "bench", matches = "true")
class InventoryBenchmark {
    static final List<String> PROVIDERS = List.of("bench-1", "bench-2", "bench-3", "bench-4", "bench-5");
    static final String[] QUERIES = {
        "gpu_type=RTX%204090&max_price=0.6&limit=5",
        "gpu_type=A100&min_vram=80&limit=20",
        "provider=bench-2&min_gpu_count=2&limit=50",
        "max_price=1.0&min_reliability=0.95&limit=50",
        "location=Germany&min_availability_confidence=0.8&limit=20",
        "limit=50",
        "gpu_type=H100%2080GB&offset=100&limit=50",
        "gpu_type=RTX%203090&min_cuda=12.4&max_price=0.3&limit=10"
    };

    @Inject
    OfferCatalog catalog;

    @Inject
    Vertx vertx;

    @Test
    void benchmark() throws Exception {
        int total = Integer.getInteger("bench.offers", 100_000);
        int seconds = Integer.getInteger("bench.seconds", 20);
        int concurrency = Integer.getInteger("bench.concurrency", 16);
        int per = total / PROVIDERS.size();
        System.out.printf(
                "%n=== inventory-service benchmark: %,d offers, %d cores ===%n",
                total, Runtime.getRuntime().availableProcessors());

        List<List<NormalisedOffer>> catalogs = new ArrayList<>();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < PROVIDERS.size(); i++) {
            catalogs.add(Feed.fromCatalog(PROVIDERS.get(i), 1000 + i, per, "", at));
        }
        ingest("first load (all new, OfferPublished each)", catalogs, at);

        Instant later = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<List<NormalisedOffer>> repriced = new ArrayList<>();
        for (List<NormalisedOffer> c : catalogs) {
            List<NormalisedOffer> next = new ArrayList<>(c.size());
            for (int k = 0; k < c.size(); k++) {
                NormalisedOffer o = c.get(k);
                BigDecimal price = k % 100 == 0
                        ? o.pricePerHour().multiply(new BigDecimal("1.05")).setScale(3, RoundingMode.HALF_UP)
                        : o.pricePerHour();
                next.add(new NormalisedOffer(
                        o.id(),
                        o.provider(),
                        o.providerId(),
                        o.gpuType(),
                        o.gpuCount(),
                        o.vramGb(),
                        price,
                        o.currency(),
                        o.location(),
                        o.country(),
                        o.reliability(),
                        o.available(),
                        o.availableCount(),
                        o.cudaVersion(),
                        o.maxDurationHours(),
                        o.machineId(),
                        o.vcpus(),
                        o.ramGb(),
                        o.diskGb(),
                        later,
                        o.provisioning()));
            }
            repriced.add(next);
        }
        ingest("steady state (1 % repriced, OfferPriceChanged each)", repriced, later);

        System.out.printf("index: %,d offers%n", catalog.view().index().size());
        // let Kafka Connect finish publishing the outbox rows of the two loads: it shares these 2 cores
        Thread.sleep(Long.getLong("bench.settle-ms", 30_000));
        System.gc();
        inProcess();
        http(seconds, concurrency);
        wholeCatalog(total);

        List<List<NormalisedOffer>> empty = new ArrayList<>();
        PROVIDERS.forEach(p -> empty.add(List.of()));
        ingest("withdraw all (OfferWithdrawn each)", empty, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private void ingest(String label, List<List<NormalisedOffer>> catalogs, Instant at) {
        long t0 = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < PROVIDERS.size(); i++) {
            ids.add(Feed.snapshot(PROVIDERS.get(i), at, catalogs.get(i), 500));
        }
        long sent = System.nanoTime();
        for (int i = 0; i < PROVIDERS.size(); i++) {
            String p = PROVIDERS.get(i);
            String id = ids.get(i);
            while (!id.equals(catalog.provider(p).snapshotId())) {
                sleep(20);
            }
        }
        long applied = System.nanoTime();
        while (catalog.view().version() < catalog.changes()) {
            sleep(5);
        }
        long indexed = System.nanoTime();
        int n = catalogs.stream().mapToInt(List::size).sum();
        double secs = (applied - t0) / 1e9;
        System.out.printf(
                "ingest %-50s %,7d offers: sent in %.1f s, applied (DB + outbox committed) after %.1f s = %,.0f offers/s;"
                        + " searchable %.0f ms later%n",
                label, n, (sent - t0) / 1e9, secs, n == 0 ? 0 : n / secs, (indexed - applied) / 1e6);
    }

    private void inProcess() {
        OfferCatalog.View v = catalog.view();
        long now = System.currentTimeMillis();
        for (String q : QUERIES) {
            CatalogIndex.Query query = parse(q);
            long[] scan = new long[2000];
            long[] cached = new long[2000];
            for (int i = 0; i < 500; i++) {
                v.index().scan(query, v.health(), now, 120_000);
                v.index().search(query, v.health(), now, 120_000);
            }
            int total = 0;
            for (int i = 0; i < scan.length; i++) {
                long t = System.nanoTime();
                total = v.index().scan(query, v.health(), now, 120_000).total();
                scan[i] = System.nanoTime() - t;
                t = System.nanoTime();
                if (v.index().search(query, v.health(), now, 120_000).total() != total) {
                    throw new AssertionError("cached search and scan disagree on " + q);
                }
                cached[i] = System.nanoTime() - t;
            }
            Arrays.sort(scan);
            Arrays.sort(cached);
            System.out.printf(
                    "index only  %-60s total %,6d  scan p50 %6.1f us p99 %7.1f us | cached p50 %5.1f us p99 %6.1f us%n",
                    q,
                    total,
                    scan[scan.length / 2] / 1e3,
                    scan[(int) (scan.length * 0.99)] / 1e3,
                    cached[cached.length / 2] / 1e3,
                    cached[(int) (cached.length * 0.99)] / 1e3);
        }
    }

    private static CatalogIndex.Query parse(String q) {
        String provider = null, gpu = null, loc = null;
        Integer vram = null, count = null;
        Double price = null, rel = null, conf = null, cuda = null;
        int limit = 50, offset = 0;
        for (String kv : q.split("&")) {
            String[] p = kv.split("=");
            String v = p[1].replace("%20", " ");
            switch (p[0]) {
                case "provider" -> provider = v;
                case "gpu_type" -> gpu = v;
                case "location" -> loc = v;
                case "min_vram" -> vram = Integer.parseInt(v);
                case "min_gpu_count" -> count = Integer.parseInt(v);
                case "max_price" -> price = Double.parseDouble(v);
                case "min_reliability" -> rel = Double.parseDouble(v);
                case "min_availability_confidence" -> conf = Double.parseDouble(v);
                case "min_cuda" -> cuda = Double.parseDouble(v);
                case "limit" -> limit = Integer.parseInt(v);
                case "offset" -> offset = Integer.parseInt(v);
                default -> throw new IllegalArgumentException(p[0]);
            }
        }
        return new CatalogIndex.Query(provider, gpu, loc, vram, price, count, rel, conf, cuda, null, limit, offset);
    }

    /**
     * The whole catalog in one response ({@code limit} = every offer): the public API allows any positive
     * limit, and a client asking for everything must get it quickly (issue #16: 100k offers in one response,
     * target 1 s). Five sequential requests on one connection after a warm-up; time to the last byte.
     */
    private void wholeCatalog(int total) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + RestAssured.port + "/inventory?limit=" + total))
                .build();
        client.send(req, java.net.http.HttpResponse.BodyHandlers.discarding()); // warm-up
        List<Long> millis = new ArrayList<>();
        long bytes = 0;
        int offers = 0;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            java.net.http.HttpResponse<byte[]> r =
                    client.send(req, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            millis.add((System.nanoTime() - t0) / 1_000_000);
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /inventory?limit=" + total + " answered " + r.statusCode());
            }
            bytes = r.body().length;
            offers = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(r.body())
                    .path("offers")
                    .size();
        }
        java.util.Collections.sort(millis);
        System.out.printf(
                "whole catalog in one response (limit=%d): %,d offers, %.1f MB, min %d ms, median %d ms, max %d ms"
                        + " (load average %s)%n",
                total, offers, bytes / 1e6, millis.get(0), millis.get(2), millis.get(4), loadavg());
    }

    private void http(int seconds, int concurrency) throws Exception {
        if (Boolean.getBoolean("bench.in-jvm")) { // the first harness: client and service share one JVM
            HttpClient client = vertx.createHttpClient(
                    new HttpClientOptions()
                            .setDefaultHost("127.0.0.1")
                            .setDefaultPort(RestAssured.port)
                            .setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(concurrency));
            run(client, 5, concurrency, false); // warm-up
            System.out.println(
                    "load average before the measured run (other processes share the 2 cores): " + loadavg());
            run(client, seconds, concurrency, true);
            System.out.println("load average after: " + loadavg());
            client.close();
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                LoadGenerator.class.getName(),
                String.valueOf(RestAssured.port),
                "5",
                String.valueOf(seconds),
                String.valueOf(concurrency)));
        for (String q : QUERIES) {
            cmd.add("/inventory?" + q);
        }
        Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = 0;
        String result = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.equals("MEASURING")) {
                    cpu0 = os.getProcessCpuTime();
                    System.out.println(
                            "load average before the measured run (other processes share the 2 cores): " + loadavg());
                } else if (line.startsWith("RESULT ")) {
                    result = line;
                    break;
                } else {
                    System.out.println("load generator: " + line);
                }
            }
        }
        long serverCpu = os.getProcessCpuTime() - cpu0;
        if (!client.waitFor(60, TimeUnit.SECONDS)) {
            client.destroyForcibly();
        }
        if (result == null) {
            System.out.println("load generator ended without a result, exit " + client.exitValue());
            return;
        }
        java.util.Map<String, String> r = new java.util.HashMap<>();
        for (String kv : result.substring(7).split(" ")) {
            r.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        long count = Long.parseLong(r.get("requests"));
        double secs = Double.parseDouble(r.get("seconds"));
        System.out.printf(
                "HTTP GET /inventory (8 filter mixes round-robin), %d concurrent, %d s, client in its own JVM: %,d requests,"
                        + " %,.0f req/s, p50 %s ms, p90 %s ms, p99 %s ms, p99.9 %s ms, max %s ms, errors %s, %,.0f bytes/response%n",
                concurrency,
                seconds,
                count,
                count / secs,
                r.get("p50"),
                r.get("p90"),
                r.get("p99"),
                r.get("p999"),
                r.get("max"),
                r.get("errors"),
                count == 0 ? 0 : Double.parseDouble(r.get("bytes")) / count);
        double serverMs = serverCpu / 1e6 / count;
        double clientMs = Double.parseDouble(r.get("client_cpu_ms")) / count;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                "CPU per request: service JVM %.3f ms (-> at most %,.0f req/s on %d dedicated cores), load generator %.3f ms%n",
                serverMs, cores * 1000 / serverMs, cores, clientMs);
        System.out.println("load average after: " + loadavg());
    }

    private void run(HttpClient client, int seconds, int concurrency, boolean report) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[] lat = new long[5_000_000];
        AtomicInteger n = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        AtomicInteger seq = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            next(client, end, lat, n, errors, seq, done);
        }
        done.await(seconds + 30L, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        if (!report) {
            return;
        }
        int count = Math.min(n.get(), lat.length);
        long[] sorted = Arrays.copyOf(lat, count);
        Arrays.sort(sorted);
        System.out.printf(
                "HTTP GET /inventory (8 filter mixes round-robin), %d concurrent, %d s: %,d requests, %,.0f req/s,"
                        + " p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms, errors %d%n",
                concurrency,
                seconds,
                count,
                count / (elapsed / 1e9),
                sorted[count / 2] / 1e6,
                sorted[(int) (count * 0.9)] / 1e6,
                sorted[(int) (count * 0.99)] / 1e6,
                sorted[(int) (count * 0.999)] / 1e6,
                sorted[count - 1] / 1e6,
                errors.get());
        // CPU the JVM (service + load generator) spent per request: what the machine's cores bound req/s to
        double cpuMs = cpu / 1e6 / count;
        System.out.printf(
                "CPU per request (service + in-JVM client): %.3f ms -> at most %,.0f req/s on %d dedicated cores%n",
                cpuMs,
                Runtime.getRuntime().availableProcessors() * 1000 / cpuMs,
                Runtime.getRuntime().availableProcessors());
    }

    private void next(
            HttpClient client,
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
        String uri = "/inventory?" + QUERIES[Math.floorMod(seq.getAndIncrement(), QUERIES.length)];
        long t = System.nanoTime();
        client.request(HttpMethod.GET, uri)
                .compose(req -> req.putHeader(TestStack.INTERNAL_HEADER, TestStack.INTERNAL_TOKEN)
                        .send()
                        .compose(resp -> {
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
                        lat[i] = System.nanoTime() - t;
                    }
                    next(client, end, lat, n, errors, seq, done);
                });
    }

    private static String loadavg() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
