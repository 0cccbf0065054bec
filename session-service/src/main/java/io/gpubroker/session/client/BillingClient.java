package io.gpubroker.session.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.kit.security.InternalToken;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.math.BigDecimal;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** billing-service's budget check: does the worst case of a new session fit the consumer's budget? */
@ClientHeaderParam(name = InternalToken.HEADER, value = "${broker.internal.token}")
@RegisterRestClient(configKey = "billing")
@Path("/budgets")
public interface BillingClient {

    record Check(
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("amount") BigDecimal amount) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Verdict(
            @JsonProperty("allowed") boolean allowed,
            @JsonProperty("remaining") BigDecimal remaining,
            @JsonProperty("budget") BigDecimal budget,
            @JsonProperty("spent") BigDecimal spent) {}

    @POST
    @Path("/check")
    Uni<Verdict> check(Check check);
}
