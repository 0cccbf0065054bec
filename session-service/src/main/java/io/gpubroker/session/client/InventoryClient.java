package io.gpubroker.session.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** inventory-service's offer lookup (services never read each other's tables). */
@RegisterRestClient(configKey = "inventory")
@Path("/inventory")
public interface InventoryClient {

    @GET
    @Path("/{id}")
    Uni<Offer> offer(@PathParam("id") String id);
}
