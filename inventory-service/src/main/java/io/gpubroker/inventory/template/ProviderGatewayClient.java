package io.gpubroker.inventory.template;

import io.gpubroker.kit.security.InternalToken;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** provider-gateway's template list (Vast templates in the broker API shape), read as raw JSON. */
@ClientHeaderParam(name = InternalToken.HEADER, value = "${broker.internal.token}")
@RegisterRestClient(configKey = "provider-gateway")
@Path("/templates")
public interface ProviderGatewayClient {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<String> templates();
}
