package io.gpubroker.provider.billing;

import io.gpubroker.contracts.BilledCosts;
import io.gpubroker.provider.adapter.ErrorClass;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.config.Providers.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Reads what a provider billed for some instances, through the provider's guard like every other
 * call (rate limit, retries, circuit breaker), so billing truth never bypasses them. A failure of
 * the provider as a whole throws a {@link ProviderException}, never an empty answer. For providers
 * read one instance at a time (Barrack), an instance the provider does not know is left out
 * (unmatched); one whose call still fails after the retries, or meets the open breaker, is
 * reported as skipped with the reason; a refusal (401, 403, any other 4xx) fails the whole read.
 */
@ApplicationScoped
public class BilledCostsReader {
    private static final Logger LOG = Logger.getLogger(BilledCostsReader.class);
    static final String OPERATION = "billed-costs";

    /** What {@code provider} billed for {@code instanceIds}. */
    public BilledCosts read(Provider provider, List<String> instanceIds) {
        Set<String> ids = new LinkedHashSet<>(instanceIds);
        return switch (provider.adapter().billingApi()) {
            case NONE -> throw ProviderException.of(ErrorClass.INVALID, provider.name() + " has no billing API");
            case ACCOUNT ->
                provider.guard().call(OPERATION, () -> provider.adapter().billedCosts(ids));
            case PER_INSTANCE -> perInstance(provider, ids);
        };
    }

    private static BilledCosts perInstance(Provider provider, Set<String> ids) {
        Map<String, BigDecimal> costs = new HashMap<>();
        Map<String, String> skipped = new HashMap<>();
        // one instance at a time: the provider's rate limit is shared with provisioning
        for (String id : ids) {
            try {
                costs.put(
                        id,
                        provider.guard()
                                .call(OPERATION, () -> provider.adapter().billedCost(id)));
            } catch (ProviderException e) {
                switch (e.errorClass()) {
                    case NOT_FOUND -> {
                        // the provider does not know it: unmatched, which the caller tells from "unknown"
                    }
                    case TRANSIENT, RATE_LIMITED -> {
                        LOG.warnf(
                                "%s billing of instance %s skipped this time: %s", provider.name(), id, e.getMessage());
                        skipped.put(id, e.getMessage());
                    }
                    default -> throw e;
                }
            }
        }
        return new BilledCosts(provider.name(), costs, skipped);
    }
}
