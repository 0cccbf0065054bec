package io.gpubroker.provider.adapter;

import io.gpubroker.contracts.BilledCosts;
import io.gpubroker.contracts.NormalisedOffer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One provider's real HTTP API behind the broker's operations. Implementations are blocking and
 * stateless towards the broker (no database): the gateway runs them on worker threads inside the
 * provider's {@code ProviderGuard} (timeouts, retries, breaker, rate limit) and persists ids itself.
 * Every failure is a {@link ProviderException} with an {@link ErrorClass}.
 */
public interface ProviderAdapter {

    /** The provider name used in config, offer ids and events ({@code vastai}, {@code tensordock}, ...). */
    String name();

    /** The provider's complete current catalog, normalised; a failure throws (never an empty list on failure). */
    List<NormalisedOffer> fetchOffers(Instant fetchedAt);

    /** Sends the create call with the ownership tag; returns the new instance id. Not retried by the caller. */
    String create(ProvisionSpec spec);

    /**
     * Steps after the id is persisted (Vast key attach, Trooper title): idempotent, safe to repeat on
     * a resumed command.
     */
    default void afterCreate(String instanceId, ProvisionSpec spec) {}

    /** The instance now; a vanished instance is {@link BrokerState#GONE}. {@code keys} are the session's public keys. */
    InstanceView describe(String instanceId, List<String> keys);

    /**
     * Same, for providers whose hosts the gateway logs into itself (Trooper): {@code pinnedHostKey}
     * is the host key pinned for this instance (null before the first connection pinned one); the
     * view carries the key seen or required in {@link InstanceView#sshHostKey()}.
     */
    default InstanceView describe(String instanceId, List<String> keys, String pinnedHostKey) {
        return describe(instanceId, keys);
    }

    /**
     * True for providers whose create cannot carry the ownership tag (Trooper titles a server after
     * ordering): a create that times out leaves an instance nobody can find by tag, so the gateway
     * serialises their creates and adopts the one untagged instance that appeared meanwhile.
     */
    default boolean tagsAfterCreate() {
        return false;
    }

    /** Asks the provider to destroy the instance; "already gone" is success. */
    void destroy(String instanceId);

    /** Every instance the account has (tags included), all pages; a partial listing throws. */
    List<InstanceView> listInstances();

    /** Templates in the broker API shape (only Vast has them). */
    default List<Map<String, Object>> templates() {
        return List.of();
    }

    /** Whether and how the provider reports what it billed ({@link #billedCosts} or {@link #billedCost}). */
    default BillingApi billingApi() {
        return BillingApi.NONE;
    }

    /**
     * {@link BillingApi#ACCOUNT}: what the provider billed for the asked instances, from one call.
     * An answer without usable billing data throws (transient), never an empty result.
     */
    default BilledCosts billedCosts(Collection<String> instanceIds) {
        throw ProviderException.of(ErrorClass.INVALID, name() + " has no account-wide billing API");
    }

    /**
     * {@link BillingApi#PER_INSTANCE}: what the provider billed for one instance (also after it was
     * deleted); an instance the provider does not know throws {@link ErrorClass#NOT_FOUND}.
     */
    default BigDecimal billedCost(String instanceId) {
        throw ProviderException.of(ErrorClass.INVALID, name() + " has no per-instance billing API");
    }
}
