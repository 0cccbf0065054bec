package io.gpubroker.session.saga;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.contracts.InstanceCreated;
import io.gpubroker.contracts.InstanceGone;
import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.StopReason;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The billing facts about instances (#18): every instance the provider created for a session, wanted
 * or not, is published as {@code InstanceCreated} with its creation time, and every confirmation
 * that one is gone as {@code InstanceGone}, after the session's own events.
 */
class InstanceBillingFactsTests {
    static final Instant T0 = ProvisionSessionSagaTests.T0;

    ProvisionSessionSaga saga;
    Session s;

    @BeforeEach
    void session() {
        saga = new ProvisionSessionSaga(
                ProvisionSessionSagaTests.cfg(), x -> List.of("ssh-ed25519 AAAAverify", "ssh-ed25519 AAAAuser"));
        s = ProvisionSessionSagaTests.pendingSession();
    }

    InstanceProvisioned provisioned(String commandId, String offerId, String instance, Instant at) {
        return new InstanceProvisioned(
                commandId, s.id, "vastai", offerId, instance, "gpub-local-sess-1", null, null, null, "loading", at);
    }

    @Test
    void theCurrentCreatesInstanceIsAnAttemptAtTheOffersPriceFromItsProvisioningTime() {
        saga.start(s, T0);
        Step step = saga.onProvisionedBilled(
                s, provisioned(s.saga.provisionCommandId, "vastai-1", "42", T0.plusSeconds(3)), T0.plusSeconds(4));

        InstanceCreated c = step.of(InstanceCreated.class).get(0);
        assertThat(c.kind()).isEqualTo(InstanceCreated.ATTEMPT);
        assertThat(c.instanceId()).isEqualTo("42");
        assertThat(c.consumerId()).isEqualTo("team");
        assertThat(c.pricePerHour()).isEqualByComparingTo(new BigDecimal("0.45"));
        assertThat(c.createdAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(s.host.instanceId).isEqualTo("42");
    }

    @Test
    void anEarlierAttemptsInstanceIsUnwantedDestroyedAndBilledWithoutAPriceFromAnotherOffer() {
        saga.start(s, T0);
        Step step = saga.onProvisionedBilled(s, provisioned("old-command", "vastai-0", "7", T0), T0.plusSeconds(1));

        assertThat(step.of(TerminateInstance.class)).hasSize(1);
        InstanceCreated c = step.of(InstanceCreated.class).get(0);
        assertThat(c.kind()).isEqualTo(InstanceCreated.UNWANTED);
        assertThat(c.offerId()).isEqualTo("vastai-0");
        assertThat(c.pricePerHour()).isNull();
    }

    @Test
    void theConfirmationOfTheSessionsInstanceFollowsSessionStoppedAndAnUnwantedOnesToo() {
        saga.start(s, T0);
        saga.onProvisionedBilled(s, provisioned(s.saga.provisionCommandId, "vastai-1", "42", T0), T0);
        saga.stop(s, StopReason.done, T0.plusSeconds(60));

        Step other = saga.onTerminatedBilled(
                s, new InstanceTerminated("c", s.id, "vastai", "old-1", T0.plusSeconds(61)), null, T0.plusSeconds(61));
        assertThat(other.of(SessionStopped.class)).isEmpty();
        assertThat(other.of(InstanceGone.class))
                .extracting(InstanceGone::instanceId)
                .containsExactly("old-1");

        Step own = saga.onTerminatedBilled(
                s, new InstanceTerminated("c", s.id, "vastai", null, T0.plusSeconds(90)), null, T0.plusSeconds(91));
        assertThat(own.events().get(0)).isInstanceOf(SessionStopped.class);
        InstanceGone gone = own.of(InstanceGone.class).get(0);
        assertThat(gone.instanceId())
                .as("the session's instance when the reply names none")
                .isEqualTo("42");
        assertThat(gone.confirmedAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(own.events().indexOf(gone)).isEqualTo(own.events().size() - 1);
    }

    @Test
    void aNewOrphanIsBilledFromItsCreationAtTheProviderNeverFromTheFuture() {
        Instant now = T0.plusSeconds(600);
        Step step = saga.onOrphanBilled(
                null,
                "vastai",
                new InstanceListing.ListedInstance("9", "gpub-local-ghost", "ghost", "running", T0),
                now);
        assertThat(step.of(TerminateInstance.class)).hasSize(1);
        InstanceCreated c = step.of(InstanceCreated.class).get(0);
        assertThat(c.kind()).isEqualTo(InstanceCreated.ORPHAN);
        assertThat(c.sessionId()).isEqualTo("ghost");
        assertThat(c.consumerId()).isNull();
        assertThat(c.createdAt()).isEqualTo(T0);

        InstanceCreated future = saga.onOrphanBilled(
                        s,
                        "vastai",
                        new InstanceListing.ListedInstance(
                                "9", "gpub-local-sess-1", s.id, "running", now.plusSeconds(5)),
                        now)
                .of(InstanceCreated.class)
                .get(0);
        assertThat(future.createdAt()).isEqualTo(now);
        assertThat(future.consumerId()).isEqualTo("team");
    }
}
