package io.gpubroker.inventory.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.inventory.template.Template;
import io.gpubroker.inventory.template.TemplateCatalog;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.rest.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** {@code /templates}: the Vast templates, from the cache of provider-gateway's list. */
@Path("/templates")
@Produces(MediaType.APPLICATION_JSON)
public class TemplateResource {

    private final TemplateCatalog templates;
    private final BrokerClock.Scaled clock;

    public TemplateResource(TemplateCatalog templates, BrokerClock.Scaled clock) {
        this.templates = templates;
        this.clock = clock;
    }

    /** The broker API's {templates, count} plus how old the list is and where it came from. */
    public record TemplateList(
            @JsonProperty("templates") List<Template> templates,
            @JsonProperty("count") int count,
            @JsonProperty("fetched_at") Instant fetchedAt,
            @JsonProperty("age_seconds") long ageSeconds,
            @JsonProperty("source") String source,
            @JsonProperty("note") String note,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("gateway_error")
            String gatewayError) {}

    @GET
    public Uni<TemplateList> list(@QueryParam("name") String name) {
        if (name != null && (name.isBlank() || name.length() > 100)) {
            throw ApiException.badRequest("invalid 'name': must be 1-100 characters");
        }
        String needle = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
        return templates.current().map(c -> {
            List<Template> out = c.templates().stream()
                    .filter(t -> needle == null
                            || (t.name() != null
                                    && t.name().toLowerCase(Locale.ROOT).contains(needle)))
                    .toList();
            long age = Math.max(0, clock.millis() - c.fetchedAt().toEpochMilli()) / 1000;
            return new TemplateList(
                    out,
                    out.size(),
                    c.fetchedAt(),
                    age,
                    c.gatewayError() == null ? "provider-gateway" : "cache",
                    InventoryResource.TEMPLATE_NOTE,
                    c.gatewayError());
        });
    }

    @GET
    @Path("/{hash_id}")
    public Uni<Template> get(@PathParam("hash_id") String hashId) {
        return templates
                .current()
                .map(c -> c.find(hashId).orElseThrow(() -> ApiException.notFound("template " + hashId + " not found")));
    }
}
