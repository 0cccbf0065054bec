package io.gpubroker.inventory.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.CatalogIndex;
import io.gpubroker.inventory.catalog.Confidence;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.catalog.OfferFacts;
import io.gpubroker.inventory.catalog.ProviderCatalog;
import io.gpubroker.inventory.config.InventoryConfig;
import io.gpubroker.inventory.template.ExtraFilters;
import io.gpubroker.inventory.template.Template;
import io.gpubroker.inventory.template.TemplateCatalog;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.rest.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * {@code /inventory}: search the catalog (from the in-memory index, never the database), read one
 * offer, list the Vast templates an offer can run.
 */
@Path("/inventory")
@Produces(MediaType.APPLICATION_JSON)
public class InventoryResource {
    private static final Logger LOG = Logger.getLogger(InventoryResource.class);
    static final String TEMPLATE_PROVIDER = "vastai";
    static final String TEMPLATE_NOTE = "templates are Vast.ai-only: offers of the other providers have none";

    private final OfferCatalog catalog;
    private final SearchJson json;
    private final TemplateCatalog templates;
    private final BrokerClock.Scaled clock;
    private final InventoryConfig config;
    private final long staleAfterMillis;

    public InventoryResource(
            OfferCatalog catalog,
            SearchJson json,
            TemplateCatalog templates,
            BrokerClock.Scaled clock,
            InventoryConfig config) {
        this.catalog = catalog;
        this.json = json;
        this.templates = templates;
        this.clock = clock;
        this.config = config;
        this.staleAfterMillis = config.offer().staleAfter().toMillis();
    }

    /** How fresh one provider's part of the catalog is. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProviderStatus(
            @JsonProperty("status") String status,
            @JsonProperty("offers") int offers,
            @JsonProperty("fetched_at") Instant fetchedAt,
            @JsonProperty("age_seconds") Long ageSeconds,
            @JsonProperty("stale") boolean stale,
            @JsonProperty("poll_failed_at") Instant pollFailedAt,
            @JsonProperty("poll_error_class") String pollErrorClass) {}

    /**
     * A result page: the broker API's {offers, count, total} plus paging, the order used, catalog freshness.
     * The declaration of the response; {@link SearchJson} writes it without serialising it field by field.
     */
    public record SearchResult(
            @JsonProperty(OFFERS) List<OfferView> offers,
            @JsonProperty(COUNT) int count,
            @JsonProperty(TOTAL) int total,
            @JsonProperty(LIMIT) int limit,
            @JsonProperty(OFFSET) int offset,
            @JsonProperty("order") String order,
            @JsonProperty(PROVIDERS) Map<String, ProviderStatus> providers) {
        static final String OFFERS = "offers";
        static final String COUNT = "count";
        static final String TOTAL = "total";
        static final String LIMIT = "limit";
        static final String OFFSET = "offset";
        static final String PROVIDERS = "providers";
    }

    /** The page as JSON bytes: the same document Jackson would write for a {@link SearchResult}, see {@link SearchJson}. */
    @GET
    public Uni<byte[]> search(@Context UriInfo uri) {
        SearchParams p = SearchParams.parse(
                uri.getQueryParameters(),
                catalog.providers(),
                config.search().defaultLimit(),
                config.search().maxLimit());
        if (p.templateHashId() == null) {
            return Uni.createFrom().item(run(p, null));
        }
        return templates.current().map(c -> {
            Template t = c.find(p.templateHashId())
                    .orElseThrow(() -> ApiException.badRequest("invalid 'template_hash_id': no template '"
                            + p.templateHashId() + "' (see GET /templates)"));
            return run(p, compile(t));
        });
    }

    private byte[] run(SearchParams p, Predicate<OfferFacts> template) {
        OfferCatalog.View v = catalog.view();
        CatalogIndex index = v.index();
        IntPredicate extra = template == null ? null : pos -> template.test(index.facts(pos));
        String provider = p.provider();
        if (template != null) {
            if (provider != null && !TEMPLATE_PROVIDER.equals(provider)) {
                extra = pos -> false; // templates fit Vast offers only
            }
            provider = TEMPLATE_PROVIDER;
        }
        CatalogIndex.Query q = new CatalogIndex.Query(
                provider,
                p.gpuType(),
                p.location(),
                p.minVram(),
                p.maxPrice(),
                p.minGpuCount(),
                p.minReliability(),
                p.minConfidence(),
                p.minCuda(),
                extra,
                p.limit(),
                p.offset());
        long now = clock.millis();
        CatalogIndex.Page page = index.search(q, v.health(), now, staleAfterMillis);
        return json.write(index, page, p.limit(), p.offset(), statuses(now));
    }

    private Map<String, ProviderStatus> statuses(long now) {
        Map<String, ProviderStatus> out = new LinkedHashMap<>();
        for (String name : catalog.providers()) {
            ProviderCatalog c = catalog.provider(name);
            Long age = c.snapshotFetchedAt() == null
                    ? null
                    : Math.max(0, now - c.snapshotFetchedAt().toEpochMilli()) / 1000;
            out.put(
                    name,
                    new ProviderStatus(
                            c.status(),
                            c.offers().size(),
                            c.snapshotFetchedAt(),
                            age,
                            age != null && age * 1000 > staleAfterMillis,
                            c.pollFailedAt(),
                            c.pollErrorClass()));
        }
        return out;
    }

    private static Predicate<OfferFacts> compile(Template t) {
        try {
            return ExtraFilters.compile(t.extraFiltersText());
        } catch (IllegalArgumentException e) {
            LOG.warnf(
                    "template %s has unreadable extra_filters; not filtering on them: %s", t.hashId(), e.getMessage());
            return f -> true;
        }
    }

    @GET
    @Path("/{id}")
    public OfferDetail get(@PathParam("id") String id) {
        return OfferDetail.of(hit(id));
    }

    /** The offer with what the broker knows now; 404 when it is not (or no longer) in the catalog. */
    private CatalogIndex.Hit hit(String id) {
        OfferCatalog.View v = catalog.view();
        long now = clock.millis();
        int pos = v.index().position(id);
        if (pos >= 0) {
            return v.index().hit(pos, v.health(), now, staleAfterMillis);
        }
        NormalisedOffer o = catalog.find(id); // applied a moment ago, index rebuild still running
        if (o == null) {
            throw ApiException.notFound("offer " + id + " not found");
        }
        long age = Math.max(0, now - o.fetchedAt().toEpochMilli());
        double conf = Confidence.of(
                o.reliability() == null ? Double.NaN : o.reliability(),
                o.available(),
                age,
                staleAfterMillis,
                1.0,
                false);
        return new CatalogIndex.Hit(-1, o, conf, age, age > staleAfterMillis, false);
    }

    /** The Vast templates an offer fits. */
    public record CompatibleTemplates(
            @JsonProperty("offer_id") String offerId,
            @JsonProperty("compatible_templates") List<Template.Summary> templates,
            @JsonProperty("count") int count,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("note")
            String note) {}

    @GET
    @Path("/{id}/compatible-templates")
    public Uni<CompatibleTemplates> compatibleTemplates(@PathParam("id") String id) {
        CatalogIndex.Hit h = hit(id);
        NormalisedOffer o = h.offer();
        if (!TEMPLATE_PROVIDER.equals(o.provider())) {
            return Uni.createFrom().item(new CompatibleTemplates(id, List.of(), 0, TEMPLATE_NOTE));
        }
        OfferFacts facts = new OfferFacts(
                o.provider(),
                o.gpuType(),
                o.gpuCount(),
                o.vramGb(),
                o.pricePerHour().doubleValue(),
                o.reliability() == null ? Double.NaN : o.reliability(),
                o.cudaVersion() == null ? Double.NaN : o.cudaVersion(),
                o.diskGb(),
                o.ramGb(),
                o.vcpus(),
                o.location(),
                o.country());
        return templates.current().map(c -> {
            List<Template.Summary> fit = c.templates().stream()
                    .filter(t -> compile(t).test(facts))
                    .map(Template::summary)
                    .toList();
            return new CompatibleTemplates(
                    id,
                    fit,
                    fit.size(),
                    c.gatewayError() == null
                            ? null
                            : c.gatewayError() + "; answered from the template list fetched at " + c.fetchedAt());
        });
    }
}
