package io.gpubroker.session.client;

import io.gpubroker.kit.security.InternalToken;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** inventory-service's offers (services never read each other's tables). */
@ClientHeaderParam(name = InternalToken.HEADER, value = "${broker.internal.token}")
@RegisterRestClient(configKey = "inventory")
@Path("/inventory")
public interface InventoryClient {

    @GET
    @Path("/{id}")
    Uni<Offer> offer(@PathParam("id") String id);

    /** Comparable offers for an auto-retry. */
    @GET
    Uni<OfferPage> search(
            @QueryParam("gpu_type") String gpuType,
            @QueryParam("min_vram") Integer minVram,
            @QueryParam("min_gpu_count") Integer minGpuCount,
            @QueryParam("max_price") String maxPrice,
            @QueryParam("limit") int limit);
}
