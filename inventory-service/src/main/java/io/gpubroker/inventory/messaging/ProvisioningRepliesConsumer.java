package io.gpubroker.inventory.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.Topics;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.health.OutcomeApplier;
import io.gpubroker.inventory.repository.CatalogRepository;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * {@code provisioning.replies} → the broker's provisioning history (confidence, suppression).
 * Only {@code ProvisionFailed} and {@code InstanceProvisioned} matter here; other reply types are
 * acknowledged and ignored. Each outcome is stored with its event id through the {@link Inbox}
 * (a redelivered reply counts once), then applied to OfferHealth once ({@link OutcomeApplier}). Malformed ones are
 * dead-lettered with the reason.
 */
@ApplicationScoped
public class ProvisioningRepliesConsumer {
    private static final Logger LOG = Logger.getLogger(ProvisioningRepliesConsumer.class);
    static final String CONSUMER = "inventory.provisioning-replies";
    static final String FAILED = "ProvisionFailed";
    static final String PROVISIONED = "InstanceProvisioned";

    private final Inbox inbox;
    private final OutcomeApplier outcomes;
    private final CatalogRepository repository;
    private final OfferCatalog catalog;
    private final BrokerClock.Scaled clock;

    public ProvisioningRepliesConsumer(
            Inbox inbox,
            OutcomeApplier outcomes,
            OfferCatalog catalog,
            BrokerClock.Scaled clock,
            CatalogRepository repository) {
        this.repository = repository;
        this.inbox = inbox;
        this.outcomes = outcomes;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** An outcome with what the catalog adds (GPU type, machine) at the time it arrived. */
    record Facts(
            boolean failed,
            String provider,
            String offerId,
            String machineId,
            String gpuType,
            String errorClass,
            String message,
            Instant at) {}

    @Incoming("provisioning-replies")
    public Uni<Void> consume(Message<String> msg) {
        Envelope env;
        try {
            env = decode(msg);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering provisioning reply: %s", e.getMessage());
            return Uni.createFrom().completionStage(msg.nack(e));
        }
        if (env == null) {
            return Uni.createFrom().completionStage(msg.ack()); // a reply type this service does not track
        }
        Facts facts = facts(env);
        return inbox.process(
                        CONSUMER,
                        env,
                        (db, e) -> repository.storeOutcome(
                                db,
                                new CatalogRepository.Outcome(
                                        e.eventId(),
                                        facts.failed(),
                                        facts.provider(),
                                        facts.offerId(),
                                        facts.machineId(),
                                        facts.gpuType(),
                                        facts.errorClass(),
                                        facts.at(),
                                        null),
                                facts.message()))
                .onFailure(t -> !(t instanceof MalformedEventException))
                .retry()
                .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
                .atMost(8)
                .onItemOrFailure()
                .transformToUni((outcome, failure) -> {
                    if (failure != null) {
                        LOG.errorf("dead-lettering %s %s: %s", env.type(), env.eventId(), failure.getMessage());
                        return Uni.createFrom().completionStage(msg.nack(failure));
                    }
                    if (outcome == Inbox.Outcome.APPLIED) {
                        outcomes.apply(new CatalogRepository.Outcome(
                                env.eventId(),
                                facts.failed(),
                                facts.provider(),
                                facts.offerId(),
                                facts.machineId(),
                                facts.gpuType(),
                                facts.errorClass(),
                                facts.at(),
                                null));
                    }
                    return Uni.createFrom().completionStage(msg.ack());
                });
    }

    /** Header id + type and the payload; null for reply types this service ignores. */
    static Envelope decode(Message<String> msg) {
        @SuppressWarnings("unchecked")
        Optional<IncomingKafkaRecordMetadata<String, String>> meta = msg.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> (IncomingKafkaRecordMetadata<String, String>) m);
        String type = meta.map(m -> header(m, Topics.HEADER_EVENT_TYPE)).orElse(null);
        if (type != null && !FAILED.equals(type) && !PROVISIONED.equals(type)) {
            return null;
        }
        String id = meta.map(m -> header(m, Topics.HEADER_EVENT_ID)).orElse(null);
        if (id == null || id.isBlank() || id.length() > 64) {
            throw new MalformedEventException("missing or invalid '" + Topics.HEADER_EVENT_ID + "' header");
        }
        if (type == null) {
            throw new MalformedEventException("missing '" + Topics.HEADER_EVENT_TYPE + "' header");
        }
        String json = msg.getPayload();
        if (json == null || json.isBlank()) {
            throw new MalformedEventException("empty payload for " + type);
        }
        try {
            ProvisioningOutcome o = EventCatalog.mapper().readValue(json, ProvisioningOutcome.class);
            return new Envelope(
                    id, type, meta.map(IncomingKafkaRecordMetadata::getKey).orElse(null), o);
        } catch (ValueInstantiationException e) {
            throw new MalformedEventException(
                    type + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getOriginalMessage()), e);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException(type + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String header(IncomingKafkaRecordMetadata<String, String> m, String name) {
        Header h = m.getHeaders() == null ? null : m.getHeaders().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private Facts facts(Envelope env) {
        ProvisioningOutcome o = (ProvisioningOutcome) env.event();
        boolean failed = FAILED.equals(env.type());
        NormalisedOffer offer = catalog.find(o.offerId());
        String machine = o.machineId() != null ? o.machineId() : offer == null ? null : offer.machineId();
        String gpuType = offer == null ? null : offer.gpuType();
        Instant at = failed ? o.failedAt() : o.provisionedAt();
        return new Facts(
                failed,
                o.provider(),
                o.offerId(),
                machine,
                gpuType,
                o.errorClass(),
                o.message(),
                at != null ? at : clock.instant());
    }
}
