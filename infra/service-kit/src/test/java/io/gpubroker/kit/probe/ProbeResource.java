package io.gpubroker.kit.probe;

import io.gpubroker.kit.rest.ApiException;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** Routes that fail in each way a real service can, for the error-shape tests of service-kit. */
@Path("/probe")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeResource {

    /** A body with one text and one integer field. */
    public record Order(String name, int count) {}

    @GET
    @Path("/conflict")
    public String conflict() {
        throw new ApiException(409, "session s-1 is already stopping", Map.of("session_id", "s-1"));
    }

    @GET
    @Path("/bug")
    public String bug() {
        throw new IllegalStateException("connection string postgres://secret@db");
    }

    @POST
    @Path("/orders")
    @Consumes(MediaType.APPLICATION_JSON)
    public Order order(Order order) {
        return order;
    }

    @GET
    @Path("/items/{id}")
    public Map<String, String> item(@jakarta.ws.rs.PathParam("id") String id) {
        return Map.of("id", io.gpubroker.kit.rest.Ids.require(id, "id"));
    }

    @GET
    @Path("/page")
    public Map<String, Integer> page(@QueryParam("size") @Min(1) int size) {
        return Map.of("size", size);
    }
}
