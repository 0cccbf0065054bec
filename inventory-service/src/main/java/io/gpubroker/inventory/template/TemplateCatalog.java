package io.gpubroker.inventory.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.inventory.config.InventoryConfig;
import io.gpubroker.inventory.repository.TemplateCacheRepository;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.rest.ApiException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Templates from provider-gateway, cached in memory and in PostgreSQL. A list older than
 * {@code inventory.templates.refresh-after} is refreshed on the next request (bounded to 2 s);
 * when the gateway is down the cached list is served with a note saying how old it is, and the
 * gateway is not asked again for 30 s. Only when nothing was ever fetched is it a 503.
 */
@ApplicationScoped
public class TemplateCatalog {
    private static final Logger LOG = Logger.getLogger(TemplateCatalog.class);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

    /** The cached list and where it stands. {@code gatewayError} is set when the last refresh failed. */
    public record Cached(List<Template> templates, Instant fetchedAt, String gatewayError) {
        public Optional<Template> find(String hashId) {
            return templates.stream()
                    .filter(t -> hashId.equalsIgnoreCase(t.hashId()))
                    .findFirst();
        }
    }

    private final ProviderGatewayClient gateway;
    private final TemplateCacheRepository cache;
    private final BrokerClock.Scaled clock;
    private final Duration refreshAfter;
    private volatile Cached cached;
    private volatile Instant lastFailure;

    public TemplateCatalog(
            @RestClient ProviderGatewayClient gateway,
            TemplateCacheRepository cache,
            BrokerClock.Scaled clock,
            InventoryConfig config) {
        this.gateway = gateway;
        this.cache = cache;
        this.clock = clock;
        this.refreshAfter = config.templates().refreshAfter();
    }

    void onStart(@Observes StartupEvent ev) {
        try {
            cache.load()
                    .await()
                    .atMost(Duration.ofSeconds(10))
                    .ifPresent(stored -> cached = new Cached(parse(stored.body()), stored.fetchedAt(), null));
        } catch (RuntimeException e) {
            LOG.warnf("no cached templates loaded: %s", e.getMessage());
        }
    }

    /** The template list, refreshed when due; fails with 503 only if there is no list at all. */
    public Uni<Cached> current() {
        Cached c = cached;
        Instant now = clock.instant();
        boolean due = c == null || !c.fetchedAt().plus(refreshAfter).isAfter(now);
        boolean backingOff =
                lastFailure != null && lastFailure.plus(RETRY_AFTER_FAILURE).isAfter(now);
        if (!due || (backingOff && c != null)) {
            return Uni.createFrom().item(c);
        }
        return gateway.templates()
                .ifNoItem()
                .after(FETCH_TIMEOUT)
                .fail()
                .map(body -> {
                    List<Template> list = parse(body);
                    Cached fresh = new Cached(list, clock.instant(), null);
                    cached = fresh;
                    lastFailure = null;
                    store(body);
                    return fresh;
                })
                .onFailure()
                .recoverWithUni(e -> {
                    lastFailure = clock.instant();
                    String reason =
                            "provider-gateway unreachable (" + e.getClass().getSimpleName() + ")";
                    LOG.warnf("template refresh failed: %s", e.getMessage());
                    Cached old = cached;
                    if (old == null) {
                        return Uni.createFrom().failure(new ApiException(503, "templates unavailable: " + reason));
                    }
                    Cached stale = new Cached(old.templates(), old.fetchedAt(), reason);
                    cached = stale;
                    return Uni.createFrom().item(stale);
                });
    }

    /** Accepts {@code {"templates": [...]}} or a bare array. */
    static List<Template> parse(String body) {
        try {
            JsonNode root = EventCatalog.mapper().readTree(body);
            JsonNode arr = root.isArray() ? root : root.path("templates");
            if (!arr.isArray()) {
                throw new IllegalArgumentException("no template list in the gateway's answer");
            }
            List<Template> out = new ArrayList<>();
            for (JsonNode t : arr) {
                Template tpl = EventCatalog.mapper().treeToValue(t, Template.class);
                if (tpl.hashId() != null && !tpl.hashId().isBlank()) {
                    out.add(tpl);
                }
            }
            return List.copyOf(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable template list: " + e.getOriginalMessage(), e);
        }
    }

    private void store(String body) {
        cache.store(body, clock.instant())
                .subscribe()
                .with(ok -> {}, e -> LOG.warnf("template cache not stored: %s", e.getMessage()));
    }
}
