package io.gpubroker.provider.rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.gpubroker.provider.config.ProviderNames;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.messaging.CommandLag;
import io.gpubroker.provider.offers.OfferPoller;

/**
 * {@code GET /providers}: which providers this process serves, their circuit state, last offer poll
 * and how long their last command waited in the queue (real seconds).
 */
@Path("/providers")
@Produces(MediaType.APPLICATION_JSON)
public class ProvidersResource {
    private final Providers providers;
    private final OfferPoller poller;
    private final CommandLag lag;

    public ProvidersResource(Providers providers, OfferPoller poller, CommandLag lag) {
        this.providers = providers;
        this.poller = poller;
        this.lag = lag;
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
            m.put("circuit_state", p.map(x -> x.guard().circuitState().name().toLowerCase(Locale.ROOT)).orElse(null));
            OfferPoller.PollResult r = polls.get(name);
            m.put("last_offer_poll_at", r == null ? null : r.at().toString());
            m.put("last_offer_poll_result", r == null ? null : r.result());
            m.put("last_offer_count", r == null ? null : r.offers());
            m.put("last_offer_poll_error", r == null ? null : r.errorClass());
            m.put("command_lag_seconds", p.isPresent() ? lag.lastLagSeconds(name) : null);
            out.add(m);
        }
        return Map.of("providers", out);
    }
}
