package io.gpubroker.billing.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.gpubroker.billing.service.BudgetStore;
import io.gpubroker.kit.rest.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;

/** {@code /budgets}: a monthly budget per consumer, and the pre-flight check session-service makes before spending. */
@Path("/budgets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BudgetsResource {
    private static final BigDecimal MAX_LIMIT = new BigDecimal("1000000000");

    private final BudgetStore store;

    public BudgetsResource(BudgetStore store) {
        this.store = store;
    }

    /** Body of {@code PUT /budgets/{consumer_id}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BudgetRequest(BigDecimal monthlyLimit, String currency) {}

    /** Body of {@code POST /budgets/check}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CheckRequest(String consumerId, BigDecimal amount) {}

    @PUT
    @Path("/{consumer_id}")
    public Uni<BudgetStore.BudgetView> put(@PathParam("consumer_id") String consumerId, BudgetRequest body) {
        String consumer = CostsResource.id(consumerId, "consumer_id");
        if (body == null) {
            throw ApiException.badRequest("a JSON body with monthly_limit is required");
        }
        if (body.monthlyLimit() == null) {
            throw ApiException.badRequest("monthly_limit is required");
        }
        if (body.monthlyLimit().signum() < 0 || body.monthlyLimit().compareTo(MAX_LIMIT) > 0) {
            throw ApiException.badRequest("monthly_limit must be between 0 and " + MAX_LIMIT.toPlainString());
        }
        if (body.monthlyLimit().stripTrailingZeros().scale() > 4) {
            throw ApiException.badRequest("monthly_limit has at most 4 decimal places");
        }
        String currency = body.currency() == null ? "USD" : body.currency();
        if (!currency.matches("[A-Z]{3}")) {
            throw ApiException.badRequest("currency must be a 3-letter ISO code such as USD");
        }
        return store.put(consumer, body.monthlyLimit(), currency);
    }

    @GET
    @Path("/{consumer_id}")
    public Uni<BudgetStore.BudgetView> get(@PathParam("consumer_id") String consumerId) {
        String consumer = CostsResource.id(consumerId, "consumer_id");
        return store.get(consumer).map(v -> {
            if (v == null) {
                throw ApiException.notFound("no budget for consumer " + consumer);
            }
            return v;
        });
    }

    @POST
    @Path("/check")
    public Uni<BudgetStore.CheckResult> check(CheckRequest body) {
        if (body == null) {
            throw ApiException.badRequest("a JSON body with consumer_id and amount is required");
        }
        if (body.consumerId() == null) {
            throw ApiException.badRequest("consumer_id is required");
        }
        String consumer = CostsResource.id(body.consumerId(), "consumer_id");
        if (body.amount() == null) {
            throw ApiException.badRequest("amount is required");
        }
        if (body.amount().signum() < 0 || body.amount().compareTo(MAX_LIMIT) > 0) {
            throw ApiException.badRequest("amount must be between 0 and " + MAX_LIMIT.toPlainString());
        }
        return store.check(consumer, body.amount());
    }
}
