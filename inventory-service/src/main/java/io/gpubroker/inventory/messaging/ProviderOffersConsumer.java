package io.gpubroker.inventory.messaging;

import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.OfferPollFailed;
import io.gpubroker.contracts.OfferSnapshotPage;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.service.CatalogService;
import io.gpubroker.kit.messaging.Envelope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * {@code provider.offers} → the catalog. Not deduplicated through the inbox: a snapshot carries
 * the whole state of a provider, so applying one twice changes nothing, and a redelivered page of
 * an applied snapshot is ignored by its {@code fetched_at}. Malformed pages and snapshots of
 * unknown providers are dead-lettered with the reason; the provider keeps its last good catalog.
 */
@ApplicationScoped
public class ProviderOffersConsumer {
    private static final Logger LOG = Logger.getLogger(ProviderOffersConsumer.class);

    private final CatalogService service;
    private final OfferCatalog catalog;

    public ProviderOffersConsumer(CatalogService service, OfferCatalog catalog) {
        this.service = service;
        this.catalog = catalog;
    }

    @Incoming("provider-offers")
    public Uni<Void> consume(Message<String> msg) {
        Uni<?> effect;
        try {
            Envelope env = Envelope.of(msg);
            if (env.event() instanceof OfferSnapshotPage page) {
                known(page.provider());
                effect = service.page(page);
            } else if (env.event() instanceof OfferPollFailed failed) {
                known(failed.provider());
                effect = service.pollFailed(failed);
            } else {
                throw new MalformedEventException(env.type() + " does not belong on provider.offers");
            }
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering provider.offers message: %s", e.getMessage());
            return Uni.createFrom().completionStage(msg.nack(e));
        }
        return effect.onItemOrFailure().transformToUni((ignored, failure) -> {
            if (failure != null) {
                LOG.errorf(failure, "dead-lettering provider.offers message: %s", failure.getMessage());
                return Uni.createFrom().completionStage(msg.nack(failure));
            }
            return Uni.createFrom().completionStage(msg.ack());
        });
    }

    private void known(String provider) {
        if (!catalog.providers().contains(provider)) {
            throw new MalformedEventException("unknown provider " + provider);
        }
    }
}
