package io.gpubroker.provider.bench;

import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.OfferSnapshotPage;
import io.gpubroker.provider.adapter.ProviderSettings;
import io.gpubroker.provider.adapter.vastai.VastAiAdapter;
import io.gpubroker.provider.resilience.ProviderGuard;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark harness (prints figures; not a test). 1) fetch + normalise a 100,000-offer Vast catalog
 * from the simulator and publish it as OfferSnapshotPage pages of 2,000 to Kafka (time, heap);
 * 2) the gateway's own overhead per provider call (guard + throttle + metrics) against a bare call.
 * Run (exec plugin is not in the offline repository): {@code ./mvnw -q -o dependency:build-classpath -pl provider-gateway
 * -Dmdep.outputFile=/tmp/cp.txt && java -cp provider-gateway/target/test-classes:provider-gateway/target/classes:$(cat /tmp/cp.txt)
 * io.gpubroker.provider.bench.GatewayBench} ({@code -Dbench.offers=100000 -Dbench.kafka=127.0.0.1:29092}).
 */
public final class GatewayBench {

    public static void main(String[] args) throws Exception {
        int size = Integer.getInteger("bench.offers", 100_000);
        String kafka = System.getProperty("bench.kafka", "127.0.0.1:29092");
        try (Simulators sims = Simulators.start(
                new SimConfig()
                        .set("vastai.offers", String.valueOf(size))
                        .set("vastai.offers.default-limit", String.valueOf(size)),
                new SimClock(Instant.now(), 1),
                "vastai")) {
            Map<String, Object> d = sims.describe().get("vastai");
            Map<String, String> cfg = new HashMap<>();
            cfg.put("broker.providers.vastai.base-url", String.valueOf(d.get("base_url")));
            cfg.put("broker.providers.vastai.api-key", String.valueOf(d.get("api_key")));
            cfg.put("broker.providers.vastai.enabled", "true");
            cfg.put("broker.providers.vastai.rate-limit-per-second", "0");
            cfg.put("broker.providers.vastai.http-timeout", "120s");
            cfg.put("broker.providers.vastai.call-timeout", "180s");
            ProviderSettings settings = new ProviderSettings(
                    "vastai", new SmallRyeConfigBuilder().withDefaultValues(cfg).build());
            VastAiAdapter vast = new VastAiAdapter(settings);
            ProviderGuard guard = new ProviderGuard(settings, new SimpleMeterRegistry());

            vast.fetchOffers(Instant.now()); // warm-up (JIT, simulator snapshot render)
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            long t0 = System.nanoTime();
            List<NormalisedOffer> offers = guard.call("offers", () -> vast.fetchOffers(Instant.now()));
            long t1 = System.nanoTime();
            long heapPeak = rt.totalMemory() - rt.freeMemory();
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            String snapshot = UUID.randomUUID().toString();
            int pageSize = 2000;
            int pages = (offers.size() + pageSize - 1) / pageSize;
            long bytes = 0;
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16_777_216);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            long t2 = System.nanoTime();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                for (int i = 0; i < pages; i++) {
                    OfferSnapshotPage page = new OfferSnapshotPage(
                            snapshot,
                            "vastai",
                            Instant.now(),
                            i + 1,
                            pages,
                            offers.size(),
                            offers.subList(i * pageSize, Math.min(offers.size(), (i + 1) * pageSize)));
                    String json = EventCatalog.toJson(page);
                    bytes += json.length();
                    ProducerRecord<String, String> r = new ProducerRecord<>("provider.offers.bench", "vastai", json);
                    r.headers()
                            .add("id", UUID.randomUUID().toString().getBytes())
                            .add("eventType", "OfferSnapshotPage".getBytes());
                    producer.send(r);
                }
                producer.flush();
            }
            long t3 = System.nanoTime();
            System.out.printf(
                    "offers fetched+normalised: %d in %d ms (heap: +%d MB at the end of the fetch incl. garbage, +%d MB retained by the offers)%n",
                    offers.size(),
                    (t1 - t0) / 1_000_000,
                    (heapPeak - heapBefore) / 1_048_576,
                    (heapAfter - heapBefore) / 1_048_576);
            System.out.printf(
                    "serialised + published: %d pages, %.1f MB JSON in %d ms (topic provider.offers.bench, zstd)%n",
                    pages, bytes / 1_048_576.0, (t3 - t2) / 1_000_000);

            int n = Integer.getInteger("bench.calls", 2000);
            for (int i = 0; i < 200; i++) {
                vast.describe("1", List.of());
                guard.call("describe", () -> vast.describe("1", List.of()));
            }
            // alternate bare and guarded rounds and keep each side's best round: the loopback call is noisy
            double bare = Double.MAX_VALUE;
            double guarded = Double.MAX_VALUE;
            for (int round = 0; round < 6; round++) {
                long b0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    vast.describe("1", List.of());
                }
                long b1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    guard.call("describe", () -> vast.describe("1", List.of()));
                }
                long b2 = System.nanoTime();
                bare = Math.min(bare, (b1 - b0) / 1000.0 / n);
                guarded = Math.min(guarded, (b2 - b1) / 1000.0 / n);
            }
            System.out.printf(
                    "provider call (GET /instances/1/ on loopback, best of 6 x %d): bare %.0f us, through the gateway guard %.0f us, overhead %.0f us/call%n",
                    n, bare, guarded, guarded - bare);
        }
        System.exit(0);
    }
}
