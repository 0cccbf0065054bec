package io.gpubroker.provider.rest;

import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.config.Providers.Provider;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code GET /templates}: Vast templates in the broker API shape (the other providers have none). */
@Path("/templates")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TemplatesResource {
    private final Providers providers;

    public TemplatesResource(Providers providers) {
        this.providers = providers;
    }

    @GET
    public Map<String, Object> list(@QueryParam("name") String name) {
        if (name != null && name.length() > 200) {
            throw ApiException.badRequest("name: at most 200 characters");
        }
        List<Map<String, Object>> all = all();
        if (name != null && !name.isBlank()) {
            String n = name.toLowerCase(Locale.ROOT);
            all = all.stream()
                    .filter(t -> String.valueOf(t.get("name"))
                            .toLowerCase(Locale.ROOT)
                            .contains(n))
                    .toList();
        }
        return Map.of("templates", all, "count", all.size());
    }

    @GET
    @Path("/{hashId}")
    public Map<String, Object> one(@PathParam("hashId") String hashId) {
        if (!hashId.matches("[A-Za-z0-9]{1,64}")) {
            throw ApiException.badRequest("hash_id: letters and digits only");
        }
        return all().stream()
                .filter(t -> hashId.equals(t.get("hash_id")))
                .findFirst()
                .orElseThrow(() -> ApiException.notFound("template not found"));
    }

    private List<Map<String, Object>> all() {
        Provider vast = providers.get("vastai").orElse(null);
        if (vast == null) {
            return List.of();
        }
        try {
            return vast.guard().call("templates", () -> vast.adapter().templates());
        } catch (ProviderException e) {
            throw new ApiException(
                    503,
                    "templates unavailable: vastai " + e.errorClass().wire(),
                    Map.of(
                            "error_type",
                            e.errorClass().wire(),
                            "provider",
                            "vastai",
                            "retry_suggested",
                            e.errorClass().retryable()));
        }
    }
}
