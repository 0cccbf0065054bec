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

    /** Offers matching the filters (null: no filter): a requirements search, or comparable offers for a failover. */
    @GET
    Uni<OfferPage> search(
            @QueryParam("provider") String provider,
            @QueryParam("gpu_type") String gpuType,
            @QueryParam("location") String location,
            @QueryParam("min_vram") Integer minVram,
            @QueryParam("min_gpu_count") Integer minGpuCount,
            @QueryParam("max_price") String maxPrice,
            @QueryParam("min_reliability") Double minReliability,
            @QueryParam("min_availability_confidence") Double minAvailabilityConfidence,
            @QueryParam("min_cuda") Double minCuda,
            @QueryParam("limit") int limit);
}
