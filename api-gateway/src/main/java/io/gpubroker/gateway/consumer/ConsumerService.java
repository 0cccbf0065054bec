package io.gpubroker.gateway.consumer;

import io.gpubroker.gateway.auth.ApiKeys;
import io.gpubroker.gateway.consumer.ConsumerViews.ConsumerList;
import io.gpubroker.gateway.consumer.ConsumerViews.ConsumerView;
import io.gpubroker.gateway.consumer.ConsumerViews.CreateConsumer;
import io.gpubroker.gateway.consumer.ConsumerViews.CreatedKey;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** Consumers and their API keys: create (key shown once), list, rotate, revoke. */
@ApplicationScoped
public class ConsumerService {
    private static final Logger LOG = Logger.getLogger(ConsumerService.class);
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String ONCE = "store this key now: the broker keeps only its hash and cannot show it again";

    private final ConsumerRepository consumers;
    private final ApiKeyRepository keys;
    private final BrokerClock.Scaled clock;
    private final KeyCache cache;

    public ConsumerService(
            ConsumerRepository consumers, ApiKeyRepository keys, BrokerClock.Scaled clock, KeyCache cache) {
        this.consumers = consumers;
        this.keys = keys;
        this.clock = clock;
        this.cache = cache;
    }

    /** The id a create request asks for: the given id, else a slug of the name. */
    static String idFor(CreateConsumer body) {
        if (body == null || (blank(body.consumerId()) && blank(body.name()))) {
            throw ApiException.badRequest("consumer_id or name is required");
        }
        if (!blank(body.name()) && body.name().length() > 200) {
            throw ApiException.badRequest("name: at most 200 characters");
        }
        Ids.text(body.name(), "name", 200);
        String id = !blank(body.consumerId())
                ? body.consumerId()
                : body.name()
                        .trim()
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9._-]+", "-")
                        .replaceAll("^[-._]+|-+$", "");
        if (id.length() > 64) {
            id = id.substring(0, 64);
        }
        if (!ID.matcher(id).matches()) {
            throw ApiException.badRequest(
                    "consumer_id: 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        return id;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @WithTransaction
    public Uni<CreatedKey> create(CreateConsumer body) {
        String id = idFor(body);
        return consumers
                .findById(id)
                .chain(existing -> {
                    if (existing != null) {
                        throw ApiException.conflict("consumer " + id + " already exists");
                    }
                    Consumer c = new Consumer();
                    c.id = id;
                    c.name = blank(body.name()) ? id : body.name().trim();
                    c.createdAt = clock.instant();
                    return consumers.persist(c).chain(() -> newKey(id));
                })
                .invoke(k -> LOG.infof("consumer %s created with key %s", id, k.keyId()));
    }

    @WithSession
    public Uni<ConsumerList> list() {
        return consumers
                .listAll()
                .chain(all -> keys.ofConsumers(all.stream().map(c -> c.id).toList())
                        .map(ks -> {
                            List<ConsumerView> views = all.stream()
                                    .sorted((a, b) -> a.id.compareTo(b.id))
                                    .map(c -> ConsumerView.of(c, ks))
                                    .toList();
                            return new ConsumerList(views, views.size());
                        }));
    }

    @WithSession
    public Uni<ConsumerView> get(String id) {
        return existing(id).chain(c -> keys.ofConsumer(id).map(ks -> ConsumerView.of(c, ks)));
    }

    /** A new key beside the existing ones (rotation = create a new key, move clients, revoke the old one). */
    @WithTransaction
    public Uni<CreatedKey> rotate(String id) {
        return existing(id).chain(c -> newKey(id)).invoke(k -> LOG.infof("consumer %s got key %s", id, k.keyId()));
    }

    @WithTransaction
    public Uni<ConsumerViews.KeyView> revoke(String id, String keyId) {
        return existing(id).chain(c -> keys.findById(keyId)).map(k -> {
            if (k == null || !k.consumerId.equals(id)) {
                throw ApiException.notFound("key " + keyId + " not found for consumer " + id);
            }
            if (k.revokedAt == null) {
                k.revokedAt = clock.instant();
            }
            // this replica forgets the key at once; others within broker.auth.key-cache-ttl
            cache.forget(keyId);
            LOG.infof("consumer %s key %s revoked", id, keyId);
            return ConsumerViews.KeyView.of(k);
        });
    }

    /** The stored key row for an id (auth lookups), or null. */
    @WithSession
    public Uni<ApiKey> key(String keyId) {
        return keys.findById(keyId);
    }

    @WithSession
    public Uni<Boolean> exists(String id) {
        return consumers.findById(id).map(c -> c != null);
    }

    private Uni<Consumer> existing(String id) {
        return consumers.findById(id).map(c -> {
            if (c == null) {
                throw ApiException.notFound("consumer " + id + " not found");
            }
            return c;
        });
    }

    private Uni<CreatedKey> newKey(String consumerId) {
        ApiKeys.NewKey nk = ApiKeys.generate();
        ApiKey k = new ApiKey();
        k.keyId = nk.keyId();
        k.consumerId = consumerId;
        k.keyHash = ApiKeys.hash(nk.key());
        k.createdAt = clock.instant();
        return keys.persist(k).map(x -> new CreatedKey(consumerId, nk.keyId(), nk.key(), k.createdAt, ONCE));
    }
}
