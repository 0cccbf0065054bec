package io.gpubroker.provider.offers;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.OfferPollFailed;
import io.gpubroker.contracts.OfferSnapshotPage;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.lease.JobLease;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.config.GatewayConfig;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.config.Providers.Provider;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Polls each enabled provider's catalog on its own schedule ({@code broker.providers.<p>.offer-poll-interval})
 * and publishes it to {@code provider.offers} as {@link OfferSnapshotPage} pages keyed by provider.
 * A provider that fails to answer is published as {@link OfferPollFailed} — never as an empty catalog.
 * Of several replicas serving a provider, only the holder of its {@code offers-<provider>} lease polls
 * it (ADR 0013).
 */
@ApplicationScoped
public class OfferPoller {
    private static final Logger LOG = Logger.getLogger(OfferPoller.class);

    /** The last poll of a provider, for {@code GET /providers}. */
    public record PollResult(Instant at, String result, int offers, String errorClass) {}

    private final Providers providers;
    private final DirectPublisher publisher;
    private final Scheduler scheduler;
    private final JobLease lease;
    private final BrokerClock.Scaled clock;
    private final int pageSize;
    private final boolean enabled;
    private final Map<String, PollResult> last = new ConcurrentHashMap<>();

    public OfferPoller(
            Providers providers,
            DirectPublisher publisher,
            Scheduler scheduler,
            JobLease lease,
            BrokerClock.Scaled clock,
            GatewayConfig.Offers config) {
        this.lease = lease;
        this.providers = providers;
        this.publisher = publisher;
        this.scheduler = scheduler;
        this.clock = clock;
        this.pageSize = config.pageSize();
        this.enabled = config.pollEnabled();
    }

    void start(@Observes StartupEvent ev) {
        if (!enabled) {
            return;
        }
        for (Provider p : providers.enabled()) {
            Duration every = p.settings().duration("offer-poll-interval", Duration.ofSeconds(60));
            scheduler
                    .newJob("offers-" + p.name())
                    .setInterval(every.toSeconds() + "s")
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                    .setTask(ex -> {
                        if (lease.holds("offers-" + p.name())) {
                            poll(p.name());
                        }
                    })
                    .schedule();
        }
    }

    public Map<String, PollResult> lastResults() {
        return Map.copyOf(last);
    }

    /** Polls one provider now and publishes the outcome; returns the number of offers (or -1 on failure). */
    public int poll(String provider) {
        Provider p =
                providers.get(provider).orElseThrow(() -> new IllegalArgumentException(provider + " is not enabled"));
        Instant at = clock.instant();
        List<NormalisedOffer> offers;
        try {
            offers = p.guard().call("offers", () -> p.adapter().fetchOffers(at));
        } catch (ProviderException e) {
            LOG.warnf(
                    "offer poll of %s failed (%s): %s", provider, e.errorClass().wire(), e.getMessage());
            publisher.publish(new OfferPollFailed(provider, at, e.errorClass().wire(), e.getMessage()));
            last.put(provider, new PollResult(at, "failed", 0, e.errorClass().wire()));
            return -1;
        }
        publishSnapshot(provider, at, offers);
        last.put(provider, new PollResult(at, "ok", offers.size(), null));
        return offers.size();
    }

    /** Publishes {@code offers} as pages of one snapshot (an empty but successful catalog is one empty page). */
    public void publishSnapshot(String provider, Instant at, List<NormalisedOffer> offers) {
        String snapshot = UUID.randomUUID().toString();
        int pages = Math.max(1, (offers.size() + pageSize - 1) / pageSize);
        for (int i = 0; i < pages; i++) {
            List<NormalisedOffer> slice =
                    offers.subList(Math.min(offers.size(), i * pageSize), Math.min(offers.size(), (i + 1) * pageSize));
            publisher.publish(new OfferSnapshotPage(snapshot, provider, at, i + 1, pages, offers.size(), slice));
        }
    }
}
