package io.gpubroker.provider.inventory;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceListingFailed;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.lease.JobLease;
import io.gpubroker.provider.adapter.BrokerState;
import io.gpubroker.provider.adapter.InstanceView;
import io.gpubroker.provider.adapter.ProviderException;
import io.gpubroker.provider.config.GatewayConfig;
import io.gpubroker.provider.config.Ownership;
import io.gpubroker.provider.config.Providers;
import io.gpubroker.provider.config.Providers.Provider;
import io.gpubroker.provider.offers.DirectPublisher;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Lists each provider's instances on a schedule and publishes this deployment's tagged ones to
 * {@code instance.inventory} (reconciliation input for session-service). Foreign instances (no tag,
 * another deployment's tag) are left out and never touched. A listing that failed anywhere — one
 * page is enough — is published as {@link InstanceListingFailed}, never as a short list. Of several
 * replicas serving a provider, only the holder of its {@code inventory-<provider>} lease lists it (ADR 0013).
 */
@ApplicationScoped
public class InstanceInventory {
    private static final Logger LOG = Logger.getLogger(InstanceInventory.class);

    private final Providers providers;
    private final Ownership ownership;
    private final DirectPublisher publisher;
    private final Scheduler scheduler;
    private final JobLease lease;
    private final BrokerClock.Scaled clock;
    private final Duration interval;
    private final boolean enabled;

    public InstanceInventory(
            Providers providers,
            Ownership ownership,
            DirectPublisher publisher,
            Scheduler scheduler,
            JobLease lease,
            BrokerClock.Scaled clock,
            GatewayConfig.Inventory config) {
        this.lease = lease;
        this.providers = providers;
        this.ownership = ownership;
        this.publisher = publisher;
        this.scheduler = scheduler;
        this.clock = clock;
        this.interval = config.interval();
        this.enabled = config.enabled();
    }

    void start(@Observes StartupEvent ev) {
        if (!enabled) {
            return;
        }
        for (Provider p : providers.enabled()) {
            scheduler
                    .newJob("inventory-" + p.name())
                    .setInterval(interval.toSeconds() + "s")
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                    .setTask(ex -> {
                        if (lease.holds("inventory-" + p.name())) {
                            listAndPublish(p.name());
                        }
                    })
                    .schedule();
        }
    }

    /** Lists one provider now and publishes (and returns) the listing or the failure. */
    public BrokerEvent listAndPublish(String provider) {
        BrokerEvent e = list(provider);
        publisher.publish(e);
        return e;
    }

    public BrokerEvent list(String provider) {
        Provider p =
                providers.get(provider).orElseThrow(() -> new IllegalArgumentException(provider + " is not enabled"));
        Instant at = clock.instant();
        try {
            List<InstanceView> all = p.guard().call("list", () -> p.adapter().listInstances());
            List<InstanceListing.ListedInstance> ours = new ArrayList<>();
            for (InstanceView v : all) {
                if (v.brokerState() == BrokerState.GONE || !ownership.ours(v.tag())) {
                    continue;
                }
                ours.add(new InstanceListing.ListedInstance(
                        v.instanceId(),
                        v.tag(),
                        ownership.sessionOf(v.tag()).orElse(null),
                        v.providerState(),
                        v.createdAt()));
            }
            return new InstanceListing(provider, ownership.deployment(), at, true, ours);
        } catch (ProviderException e) {
            LOG.warnf("listing %s failed (%s): %s", provider, e.errorClass().wire(), e.getMessage());
            return new InstanceListingFailed(provider, at, e.errorClass().wire(), e.getMessage());
        }
    }
}
