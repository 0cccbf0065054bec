package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * What a provider bills for some of our instances, as provider-gateway reads it from the provider's
 * billing API ({@code POST /providers/{provider}/billed-costs}, not an event). {@code costs} holds
 * the amount billed per instance id; {@code skipped} the instances whose cost could not be read this
 * time (their call failed after retries, or an amount was unreadable), with the reason: those are
 * unknown, never zero. An asked id in neither map is one the provider does not know. A provider
 * call that fails as a whole is an error answer, never an empty {@code costs}.
 */
public record BilledCosts(
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "costs", required = true) Map<String, BigDecimal> costs,
        @JsonProperty(value = "skipped", required = true) Map<String, String> skipped) {

    public BilledCosts {
        Require.text(provider, "provider");
        costs = costs == null ? Map.of() : Map.copyOf(costs);
        skipped = skipped == null ? Map.of() : Map.copyOf(skipped);
    }

    /** The question: which instances to read the billed cost of. */
    public record Request(
            @JsonProperty(value = "instance_ids", required = true)
            List<String> instanceIds) {

        public Request {
            instanceIds = instanceIds == null ? List.of() : List.copyOf(instanceIds);
        }
    }
}
