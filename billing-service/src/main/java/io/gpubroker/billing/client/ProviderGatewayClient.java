package io.gpubroker.billing.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.contracts.BilledCosts;
import io.gpubroker.kit.security.InternalToken;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * provider-gateway's provider routes: which providers it serves, and what a provider billed for
 * some instances. Billing reads provider billing only here (the gateway owns the credentials, rate
 * limits and circuit breakers). An error answer becomes a {@link GatewayCallException}.
 */
@ClientHeaderParam(name = InternalToken.HEADER, value = "${broker.internal.token}")
@RegisterRestClient(configKey = "provider-gateway")
@Path("/providers")
@Produces(MediaType.APPLICATION_JSON)
public interface ProviderGatewayClient {

    /** {@code GET /providers}, the parts billing reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ProviderList(@JsonProperty("providers") List<Entry> providers) {

        /** One provider: served here, and whether its billing can be read. */
        @JsonIgnoreProperties(ignoreUnknown = true)
        public record Entry(
                @JsonProperty("provider") String provider,
                @JsonProperty("enabled") boolean enabled,
                @JsonProperty("billed_costs") boolean billedCosts) {}
    }

    @GET
    Uni<ProviderList> providers();

    @POST
    @Path("/{provider}/billed-costs")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<BilledCosts> billedCosts(@PathParam("provider") String provider, BilledCosts.Request request);

    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return GatewayCallException.of(response);
    }
}
