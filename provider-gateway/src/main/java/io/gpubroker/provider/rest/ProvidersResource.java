package io.gpubroker.provider.rest;

import io.gpubroker.contracts.BilledCosts;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.provider.adapter.BillingApi;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.billing.BilledCostsReader;
import io.gpubroker.provider.config.ProviderNames;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.messaging.CommandLag;
import io.gpubroker.provider.offers.OfferPoller;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /providers}: which providers this process serves, their circuit state, last offer poll
 * and how long their last command waited in the queue (real seconds); {@code POST
 * /providers/{provider}/billed-costs}: what the provider billed for some instances (billing-service's
 * drift reconciliation reads provider billing only here).
 */
@Path("/providers")
@Produces(MediaType.APPLICATION_JSON)
public class ProvidersResource {
    static final int MAX_IDS = 10_000;

    private final Providers providers;
    private final OfferPoller poller;
    private final CommandLag lag;
    private final BilledCostsReader billing;

    public ProvidersResource(Providers providers, OfferPoller poller, CommandLag lag, BilledCostsReader billing) {
        this.providers = providers;
        this.poller = poller;
        this.lag = lag;
        this.billing = billing;
    }

    @GET
    public Map<String, Object> list() {
        Map<String, OfferPoller.PollResult> polls = poller.lastResults();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : ProviderNames.ALL) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("provider", name);
            var p = providers.get(name);
            m.put("enabled", p.isPresent());
            m.put(
                    "circuit_state",
                    p.map(x -> x.guard().circuitState().name().toLowerCase(Locale.ROOT))
                            .orElse(null));
            OfferPoller.PollResult r = polls.get(name);
            m.put("last_offer_poll_at", r == null ? null : r.at().toString());
            m.put("last_offer_poll_result", r == null ? null : r.result());
            m.put("last_offer_count", r == null ? null : r.offers());
            m.put("last_offer_poll_error", r == null ? null : r.errorClass());
            m.put("command_lag_seconds", p.isPresent() ? lag.lastLagSeconds(name) : null);
            m.put(
                    "billed_costs",
                    p.map(x -> x.adapter().billingApi() != BillingApi.NONE).orElse(false));
            out.add(m);
        }
        return Map.of("providers", out);
    }

    /**
     * 200 with the costs (and the instances skipped this time); 404 for a provider not enabled here,
     * 400 for one without a billing API or a bad request, 502 when the provider's billing call failed
     * (after retries, or the breaker is open), with {@code error_type} and {@code retry_suggested}.
     */
    @POST
    @Path("/{provider}/billed-costs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public BilledCosts billedCosts(@PathParam("provider") String provider, BilledCosts.Request body) {
        var p = providers.get(provider).orElseThrow(() -> ApiException.notFound("provider not enabled: " + provider));
        if (p.adapter().billingApi() == BillingApi.NONE) {
            throw ApiException.badRequest(provider + " has no billing API");
        }
        if (body == null || body.instanceIds().isEmpty()) {
            throw ApiException.badRequest("instance_ids: at least one instance id is required");
        }
        if (body.instanceIds().size() > MAX_IDS
                || body.instanceIds().stream().anyMatch(i -> i == null || i.isBlank() || i.length() > 200)) {
            throw ApiException.badRequest("instance_ids: 1 to " + MAX_IDS + " ids of at most 200 characters");
        }
        try {
            return billing.read(p, body.instanceIds());
        } catch (ProviderException e) {
            throw new ApiException(
                    502,
                    e.getMessage(),
                    Map.of(
                            "error_type",
                            e.errorClass().wire(),
                            "provider",
                            provider,
                            "retry_suggested",
                            e.errorClass().retryable(),
                            "provider_status",
                            e.httpStatus()));
        }
    }
}
