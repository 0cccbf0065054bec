package io.gpubroker.inventory.bench;

import io.gpubroker.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop HTTP load generator in its own JVM, so the service under test does not share its
 * heap, GC and JIT with the client ({@link InventoryBenchmark} starts it with {@code java -cp}).
 * Only loopback targets; bounded in time. Prints one {@code RESULT} line with the figures.
 * <pre>
 * java -cp ... io.gpubroker.inventory.bench.LoadGenerator PORT WARMUP_S SECONDS CONCURRENCY PATH [PATH ...]
 * </pre>
 */
public final class LoadGenerator {

    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        String[] paths = Arrays.copyOfRange(args, 4, args.length);
        // one event loop: the client should take as little of the shared cores as it can
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        HttpClient client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(port)
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(concurrency));
        try {
            run(client, warmup, concurrency, paths);
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            System.out.println("MEASURING");
            System.out.flush();
            Result r = run(client, seconds, concurrency, paths);
            long cpu = os.getProcessCpuTime() - cpu0;
            long[] s = r.sorted();
            int n = s.length;
            System.out.printf(
                    java.util.Locale.ROOT,
                    "RESULT requests=%d seconds=%.3f p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f"
                            + " errors=%d bytes=%d client_cpu_ms=%.1f%n",
                    n,
                    r.elapsedNanos / 1e9,
                    ms(s, 0.5),
                    ms(s, 0.9),
                    ms(s, 0.99),
                    ms(s, 0.999),
                    n == 0 ? 0 : s[n - 1] / 1e6,
                    r.errors,
                    r.bytes,
                    cpu / 1e6);
        } finally {
            client.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static double ms(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
    }

    record Result(long[] lat, int n, long errors, long bytes, long elapsedNanos) {
        long[] sorted() {
            long[] s = Arrays.copyOf(lat, Math.min(n, lat.length));
            Arrays.sort(s);
            return s;
        }
    }

    private static Result run(HttpClient client, int seconds, int concurrency, String[] paths)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[] lat = new long[5_000_000];
        AtomicInteger n = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicInteger seq = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        long t0 = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            next(client, end, paths, lat, n, errors, bytes, seq, done);
        }
        if (!done.await(seconds + 30L, TimeUnit.SECONDS)) {
            errors.incrementAndGet();
        }
        return new Result(lat, n.get(), errors.get(), bytes.get(), System.nanoTime() - t0);
    }

    private static void next(
            HttpClient client,
            long end,
            String[] paths,
            long[] lat,
            AtomicInteger n,
            AtomicLong errors,
            AtomicLong bytes,
            AtomicInteger seq,
            CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        String uri = paths[Math.floorMod(seq.getAndIncrement(), paths.length)];
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
                    } else {
                        bytes.addAndGet(ar.result().length());
                    }
                    int i = n.getAndIncrement();
                    if (i < lat.length) {
                        lat[i] = System.nanoTime() - t;
                    }
                    next(client, end, paths, lat, n, errors, bytes, seq, done);
                });
    }
}
