package io.gpubroker.inventory.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.Offers;
import io.gpubroker.inventory.catalog.ProviderCatalog;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The durable copy of the catalog (schema {@code inventory}). Writes run in the caller's
 * transaction, in bulk: a batch of offers travels as one JSON document expanded by
 * {@code jsonb_to_recordset}, so a 100,000-offer snapshot is a handful of statements.
 */
@ApplicationScoped
public class CatalogRepository {
    private static final int CHUNK = 5_000;
    private static final String COLUMNS =
            "id, provider, provider_id, gpu_type, gpu_count, vram_gb, price_per_hour, currency,"
                    + " location, country, reliability, available, available_count, cuda_version, max_duration_hours, machine_id,"
                    + " vcpus, ram_gb, disk_gb, fetched_at, provisioning";

    private final Pool pool;

    public CatalogRepository(Pool pool) {
        this.pool = pool;
    }

    /** Inserts or updates {@code offers} (all columns). */
    public Uni<Void> upsert(Mutiny.Session db, List<NormalisedOffer> offers) {
        return Multi.createFrom()
                .iterable(chunks(offers))
                .onItem()
                .transformToUniAndConcatenate(chunk -> db.createNativeQuery(
                                "insert into inventory.offers (" + COLUMNS + ")"
                                        + " select " + COLUMNS
                                        + " from jsonb_to_recordset(cast(cast(?1 as text) as jsonb)) as x("
                                        + "id text, provider text, provider_id text, gpu_type text, gpu_count int, vram_gb int,"
                                        + " price_per_hour numeric, currency text, location text, country text, reliability float8,"
                                        + " available boolean, available_count int, cuda_version float8, max_duration_hours int,"
                                        + " machine_id text, vcpus int, ram_gb int, disk_gb int, fetched_at timestamptz, provisioning jsonb)"
                                        + " on conflict (id) do update set provider = excluded.provider, provider_id = excluded.provider_id,"
                                        + " gpu_type = excluded.gpu_type, gpu_count = excluded.gpu_count, vram_gb = excluded.vram_gb,"
                                        + " price_per_hour = excluded.price_per_hour, currency = excluded.currency, location = excluded.location,"
                                        + " country = excluded.country, reliability = excluded.reliability, available = excluded.available,"
                                        + " available_count = excluded.available_count, cuda_version = excluded.cuda_version,"
                                        + " max_duration_hours = excluded.max_duration_hours, machine_id = excluded.machine_id,"
                                        + " vcpus = excluded.vcpus, ram_gb = excluded.ram_gb, disk_gb = excluded.disk_gb,"
                                        + " fetched_at = excluded.fetched_at, provisioning = excluded.provisioning, updated_at = clock_timestamp()")
                        .setParameter(1, json(chunk))
                        .executeUpdate())
                .collect()
                .last()
                .replaceWithVoid();
    }

    /** Deletes the offers with {@code ids}. */
    public Uni<Void> delete(Mutiny.Session db, List<String> ids) {
        return Multi.createFrom()
                .iterable(chunks(ids))
                .onItem()
                .transformToUniAndConcatenate(chunk -> db.createNativeQuery("delete from inventory.offers where id in"
                                + " (select jsonb_array_elements_text(cast(cast(?1 as text) as jsonb)))")
                        .setParameter(1, json(chunk))
                        .executeUpdate())
                .collect()
                .last()
                .replaceWithVoid();
    }

    /** Records the snapshot now applied for {@code provider}. */
    public Uni<Void> snapshotApplied(
            Mutiny.Session db, String provider, String snapshotId, Instant fetchedAt, int count) {
        return db.createNativeQuery(
                        "insert into inventory.provider_catalogs (provider, snapshot_id, snapshot_fetched_at, offer_count, applied_at)"
                                + " values (?1, ?2, ?3, ?4, clock_timestamp()) on conflict (provider) do update set snapshot_id = excluded.snapshot_id,"
                                + " snapshot_fetched_at = excluded.snapshot_fetched_at, offer_count = excluded.offer_count, applied_at = excluded.applied_at")
                .setParameter(1, provider)
                .setParameter(2, snapshotId)
                .setParameter(3, odt(fetchedAt))
                .setParameter(4, count)
                .executeUpdate()
                .replaceWithVoid();
    }

    /** Records a failed poll; the provider's offers stay as they are. */
    public Uni<Void> pollFailed(Mutiny.Session db, String provider, Instant at, String errorClass, String message) {
        return db.createNativeQuery(
                        "insert into inventory.provider_catalogs (provider, poll_failed_at, poll_error_class, poll_error_message)"
                                + " values (?1, ?2, ?3, ?4) on conflict (provider) do update set poll_failed_at = excluded.poll_failed_at,"
                                + " poll_error_class = excluded.poll_error_class, poll_error_message = excluded.poll_error_message")
                .setParameter(1, provider)
                .setParameter(2, odt(at))
                .setParameter(3, truncate(errorClass, 64))
                .setParameter(4, truncate(message, 512))
                .executeUpdate()
                .replaceWithVoid();
    }

    /** Loads every provider's catalog; an offer's fetched_at is its provider's last applied snapshot. */
    public Uni<Map<String, ProviderCatalog>> loadAll() {
        return load(null);
    }

    /** Loads one provider's catalog as stored (empty when nothing was applied yet). */
    public Uni<ProviderCatalog> loadProvider(String provider) {
        return load(provider).map(all -> all.getOrDefault(provider, ProviderCatalog.none(provider)));
    }

    private Uni<Map<String, ProviderCatalog>> load(String provider) {
        String where = provider == null ? "" : " where provider = $1";
        Tuple args = provider == null ? Tuple.tuple() : Tuple.of(provider);
        return pool.preparedQuery(
                        "select provider, snapshot_id, snapshot_fetched_at, poll_failed_at, poll_error_class, poll_error_message"
                                + " from inventory.provider_catalogs" + where)
                .execute(args)
                .chain(rows -> {
                    Map<String, ProviderCatalog> out = new HashMap<>();
                    for (Row r : rows) {
                        out.put(r.getString(0), head(r).withOffers(new HashMap<>()));
                    }
                    return pool.preparedQuery("select " + COLUMNS.replace("provisioning", "provisioning::text")
                                    + " from inventory.offers" + where)
                            .execute(args)
                            .map(offers -> {
                                for (Row r : offers) {
                                    ProviderCatalog c = out.computeIfAbsent(
                                            r.getString(1),
                                            p -> new ProviderCatalog(p, new HashMap<>(), null, null, null, null, null));
                                    Instant fetched = c.snapshotFetchedAt() != null
                                            ? c.snapshotFetchedAt()
                                            : instant(r.getOffsetDateTime(19));
                                    NormalisedOffer o = new NormalisedOffer(
                                            r.getString(0),
                                            r.getString(1),
                                            r.getString(2),
                                            r.getString(3),
                                            r.getInteger(4),
                                            r.getInteger(5),
                                            Offers.money(r.getBigDecimal(6)),
                                            r.getString(7),
                                            r.getString(8),
                                            r.getString(9),
                                            r.getDouble(10),
                                            r.getBoolean(11),
                                            r.getInteger(12),
                                            r.getDouble(13),
                                            r.getInteger(14),
                                            r.getString(15),
                                            r.getInteger(16),
                                            r.getInteger(17),
                                            r.getInteger(18),
                                            fetched,
                                            provisioning(r.getString(20)));
                                    c.offers().put(o.id(), o);
                                }
                                return out;
                            });
                });
    }

    /** Every provider's stored head (snapshot and poll-failure facts, no offers): what replicas compare. */
    public Uni<List<ProviderCatalog>> heads() {
        return pool.query(
                        "select provider, snapshot_id, snapshot_fetched_at, poll_failed_at, poll_error_class, poll_error_message"
                                + " from inventory.provider_catalogs")
                .execute()
                .map(rows -> {
                    List<ProviderCatalog> out = new ArrayList<>();
                    rows.forEach(r -> out.add(head(r)));
                    return out;
                });
    }

    /**
     * Locks {@code provider}'s head row for this transaction and returns the fetch time of the snapshot
     * stored there (null when none): applying replicas are serialised per provider and each one diffs
     * against what is stored, not against a memory another replica may have overtaken.
     */
    public Uni<Instant> lockHead(Mutiny.Session db, String provider) {
        return db.createNativeQuery(
                        "insert into inventory.provider_catalogs (provider) values (?1) on conflict (provider) do nothing")
                .setParameter(1, provider)
                .executeUpdate()
                .chain(() -> db.createNativeQuery(
                                "select snapshot_fetched_at from inventory.provider_catalogs where provider = ?1 for update",
                                OffsetDateTime.class)
                        .setParameter(1, provider)
                        .getSingleResultOrNull())
                .map(CatalogRepository::instant);
    }

    private static ProviderCatalog head(Row r) {
        return new ProviderCatalog(
                r.getString(0),
                Map.of(),
                r.getString(1),
                instant(r.getOffsetDateTime(2)),
                instant(r.getOffsetDateTime(3)),
                r.getString(4),
                r.getString(5));
    }

    /** A stored provisioning outcome, as replayed into OfferHealth. */
    public record Outcome(
            String eventId,
            boolean failed,
            String provider,
            String offerId,
            String machineId,
            String gpuType,
            String errorClass,
            Instant occurredAt,
            Instant recordedAt) {}

    /** Stores one provisioning outcome in the inbox's transaction; a redelivered one is stored once. */
    public Uni<Void> storeOutcome(Mutiny.Session db, Outcome o, String message) {
        return db.createNativeQuery(
                        "insert into inventory.provisioning_outcomes (event_id, outcome, provider, offer_id, machine_id,"
                                + " gpu_type, error_class, message, occurred_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                                + " on conflict (event_id) do nothing")
                .setParameter(1, o.eventId())
                .setParameter(2, o.failed() ? "failed" : "provisioned")
                .setParameter(3, o.provider())
                .setParameter(4, o.offerId())
                .setParameter(5, o.machineId())
                .setParameter(6, o.gpuType())
                .setParameter(7, truncate(o.errorClass(), 64))
                .setParameter(8, truncate(message, 512))
                .setParameter(9, odt(o.occurredAt()))
                .executeUpdate()
                .replaceWithVoid();
    }

    /** Stored provisioning outcomes that happened since {@code since}, oldest first (replayed at start). */
    public Uni<List<Outcome>> outcomesSince(Instant since) {
        return outcomes("occurred_at >= $1 order by occurred_at", since);
    }

    /** Outcomes written since {@code since} by any replica, in the order they were written. */
    public Uni<List<Outcome>> outcomesRecordedSince(Instant since) {
        return outcomes("recorded_at >= $1 order by recorded_at", since);
    }

    private Uni<List<Outcome>> outcomes(String condition, Instant since) {
        return pool.preparedQuery(
                        "select event_id, outcome, provider, offer_id, machine_id, gpu_type, error_class, occurred_at,"
                                + " recorded_at from inventory.provisioning_outcomes where " + condition)
                .execute(Tuple.of(odt(since)))
                .map(rows -> {
                    List<Outcome> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Outcome(
                                r.getString(0),
                                "failed".equals(r.getString(1)),
                                r.getString(2),
                                r.getString(3),
                                r.getString(4),
                                r.getString(5),
                                r.getString(6),
                                instant(r.getOffsetDateTime(7)),
                                instant(r.getOffsetDateTime(8))));
                    }
                    return out;
                });
    }

    private static Map<String, String> provisioning(String json) {
        if (json == null) {
            return null;
        }
        try {
            return EventCatalog.mapper().readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable provisioning column", e);
        }
    }

    static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            out.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return out;
    }

    private static String json(Object v) {
        try {
            return EventCatalog.mapper().writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static OffsetDateTime odt(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
