package io.gpubroker.inventory;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.OfferPollFailed;
import io.gpubroker.contracts.OfferSnapshotPage;
import io.gpubroker.contracts.Topics;
import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.testkit.TestStack;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plays provider-gateway in tests: normalised offers from the simulators' catalog, sent as snapshot pages. */
public final class Feed {
    private static KafkaProducer<String, String> producer;

    private Feed() {}

    public static NormalisedOffer offer(
            String provider,
            String nativeId,
            String gpuType,
            int count,
            int vram,
            String price,
            String location,
            Double reliability,
            Double cuda,
            String machine,
            Instant fetchedAt) {
        return new NormalisedOffer(
                provider + "-" + nativeId,
                provider,
                nativeId,
                gpuType,
                count,
                vram,
                new BigDecimal(price),
                "USD",
                location,
                "US",
                reliability,
                true,
                1,
                cuda,
                null,
                machine,
                8,
                64,
                200,
                fetchedAt,
                Map.of("ask_id", nativeId));
    }

    /** {@code n} offers for {@code provider} from the simulators' deterministic catalog. */
    public static List<NormalisedOffer> fromCatalog(
            String provider, long seed, int n, String locationPrefix, Instant fetchedAt) {
        List<NormalisedOffer> out = new ArrayList<>(n);
        boolean vast = "vastai".equals(provider);
        for (GpuCatalog.OfferSeed s : GpuCatalog.generate(seed, n)) {
            String nativeId = seed + "x" + s.index();
            out.add(new NormalisedOffer(
                    provider + "-" + nativeId,
                    provider,
                    nativeId,
                    s.model().name(),
                    s.gpuCount(),
                    s.model().vramGb(),
                    BigDecimal.valueOf(s.pricePerHour()),
                    "USD",
                    locationPrefix + s.location(),
                    s.country(),
                    s.reliability(),
                    true,
                    s.capacity(),
                    vast ? s.cudaMaxGood() : null,
                    null,
                    String.valueOf(s.machineId()),
                    s.vcpus(),
                    s.ramGb(),
                    s.diskGb(),
                    fetchedAt,
                    Map.of("seed_index", String.valueOf(s.index()))));
        }
        return out;
    }

    /** Sends a complete snapshot in pages of {@code pageSize}; returns its snapshot id. */
    public static String snapshot(String provider, Instant fetchedAt, List<NormalisedOffer> offers, int pageSize) {
        String id = "snap-" + UUID.randomUUID();
        int pages = Math.max(1, (offers.size() + pageSize - 1) / pageSize);
        for (int p = 1; p <= pages; p++) {
            List<NormalisedOffer> slice =
                    offers.subList(Math.min(offers.size(), (p - 1) * pageSize), Math.min(offers.size(), p * pageSize));
            OfferSnapshotPage page = new OfferSnapshotPage(id, provider, fetchedAt, p, pages, offers.size(), slice);
            // pages of one provider share a key (one partition) and the producer keeps their order
            producer()
                    .send(record(
                            Topics.PROVIDER_OFFERS,
                            provider,
                            EventCatalog.toJson(page),
                            UUID.randomUUID().toString(),
                            "OfferSnapshotPage"));
        }
        producer().flush();
        return id;
    }

    /** Sends only page {@code page} of a {@code pages}-page snapshot. */
    public static String partial(
            String provider, Instant fetchedAt, List<NormalisedOffer> offers, int page, int pages, int total) {
        String id = "snap-" + UUID.randomUUID();
        send(new OfferSnapshotPage(id, provider, fetchedAt, page, pages, total, offers));
        producer().flush();
        return id;
    }

    public static void pollFailed(String provider, Instant at) {
        send(new OfferPollFailed(provider, at, "transient", "HTTP 503 from provider API"));
        producer().flush();
    }

    public static void send(BrokerEvent e) {
        raw(
                Topics.PROVIDER_OFFERS,
                e.aggregateId(),
                EventCatalog.toJson(e),
                UUID.randomUUID().toString(),
                e.getClass().getSimpleName());
    }

    /** A raw record with the outbox headers ({@code id}, {@code eventType}); null header values are left out. */
    public static void raw(String topic, String key, String value, String eventId, String eventType) {
        try {
            producer().send(record(topic, key, value, eventId, eventType)).get();
        } catch (Exception ex) {
            throw new IllegalStateException("cannot send to " + topic, ex);
        }
    }

    static ProducerRecord<String, String> record(
            String topic, String key, String value, String eventId, String eventType) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
        if (eventId != null) {
            r.headers().add(Topics.HEADER_EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
        }
        if (eventType != null) {
            r.headers().add(Topics.HEADER_EVENT_TYPE, eventType.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().kafkaBootstrap());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            producer = new KafkaProducer<>(p);
        }
        return producer;
    }
}
