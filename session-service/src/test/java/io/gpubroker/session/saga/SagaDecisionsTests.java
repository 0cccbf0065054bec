package io.gpubroker.session.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionStopping;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.ssh.HostReport;
import io.gpubroker.session.ssh.SessionKeys;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decisions that used to live in consumers, timers and the service — retry or fail, orphan,
 * missing instance, restart, budget, heartbeat, extension, dropping SSH access — given in-memory
 * inputs, without Kafka or a database.
 */
class SagaDecisionsTests {

    static final Instant T0 = ProvisionSessionSagaTests.T0;

    ProvisionSessionSaga saga;
    Session s;

    @BeforeEach
    void session() {
        saga = new ProvisionSessionSaga(
                ProvisionSessionSagaTests.cfg(), x -> List.of("ssh-ed25519 AAAAverify", "ssh-ed25519 AAAAuser"));
        s = ProvisionSessionSagaTests.pendingSession();
        s.keys.verifySalt = "salt";
        s.keys.agentTokenHash = SessionKeys.hash("token");
    }

    static Offer other() {
        return new Offer(
                "tensordock-2",
                "tensordock",
                "2",
                "RTX 4090",
                1,
                24,
                new BigDecimal("0.50"),
                "US",
                true,
                false,
                T0,
                new BigDecimal("12.2"),
                "m2",
                Map.of("location_id", "l"),
                false);
    }

    ProvisionFailed failure(String errorClass) {
        return new ProvisionFailed(
                s.saga.provisionCommandId, s.id, "vastai", s.offer.offerId, null, errorClass, "no luck", true, T0);
    }

    void autoRetry(int max) {
        s.terms.autoRetry = true;
        s.terms.maxRetries = max;
    }

    void running() {
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "42",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "running",
                        T0),
                T0);
        saga.onVerified(s, new HostReport(null, null, "NVIDIA GeForce RTX 4090", 1, 24564, "560.35.03", 12.6, 0), T0);
    }

    @Test
    void noFailoverStartsAfterTheWindowCountedFromTheCreate() {
        autoRetry(3);
        saga.start(s, T0);
        assertThat(s.saga.failoverUntil).as("the first create opens the window").isEqualTo(T0.plusSeconds(30 * 60));
        ProvisionFailed f = failure("stale_inventory");
        Instant late = T0.plusSeconds(30 * 60);
        assertThat(saga.wantsOfferAfter(s, f, late.minusSeconds(1))).isTrue();
        assertThat(saga.wantsOfferAfter(s, f, late)).isFalse();
        Step step = saga.onProvisionFailed(s, f, other(), late);
        assertThat(s.status).as("an offer found too late is not taken").isEqualTo(SessionStatus.failed);
        assertThat(step.events()).anyMatch(e -> e instanceof io.gpubroker.contracts.SessionFailed);
    }

    @Test
    void aRetryKeepsTheWindowOfTheFirstCreate() {
        autoRetry(3);
        saga.start(s, T0);
        saga.onProvisionFailed(s, failure("no_capacity"), other(), T0.plusSeconds(60));
        assertThat(s.saga.retryCount).isEqualTo(1);
        assertThat(s.saga.failoverUntil).isEqualTo(T0.plusSeconds(30 * 60));
    }

    @Test
    void aRetryableCreateFailureWithAttemptsLeftAsksForAnotherOfferAndMovesThere() {
        autoRetry(2);
        saga.start(s, T0);
        ProvisionFailed f = failure("no_capacity");
        assertThat(saga.wantsOfferAfter(s, f, T0)).isTrue();
        Step step = saga.onProvisionFailed(s, f, other(), T0.plusSeconds(5));
        assertThat(s.status).isEqualTo(SessionStatus.pending);
        assertThat(s.saga.retryCount).isEqualTo(1);
        assertThat(s.offer.provider).isEqualTo("tensordock");
        assertThat(s.saga.lastAttemptFailure).isEqualTo("no_capacity: no luck");
        assertThat(step.of(ProvisionInstance.class))
                .singleElement()
                .satisfies(p -> assertThat(p.offerId()).isEqualTo("tensordock-2"));
    }

    @Test
    void aCreateFailureAnotherOfferCannotFixFailsTheSessionEvenWithAnOfferAtHand() {
        autoRetry(2);
        saga.start(s, T0);
        ProvisionFailed f = failure("invalid_request");
        assertThat(saga.wantsOfferAfter(s, f, T0)).isFalse();
        Step step = saga.onProvisionFailed(s, f, other(), T0.plusSeconds(5));
        assertThat(s.status).isEqualTo(SessionStatus.failed);
        assertThat(s.saga.errorClass).isEqualTo("invalid_request");
        assertThat(step.of(SessionFailed.class)).hasSize(1);
    }

    @Test
    void noAttemptsLeftOrNoOfferFoundFailsTheSession() {
        autoRetry(1);
        s.saga.retryCount = 1;
        saga.start(s, T0);
        assertThat(saga.wantsOfferAfter(s, failure("no_capacity"), T0)).isFalse();
        saga.onProvisionFailed(s, failure("no_capacity"), other(), T0.plusSeconds(5));
        assertThat(s.status).isEqualTo(SessionStatus.failed);

        session();
        autoRetry(2);
        saga.start(s, T0);
        saga.onProvisionFailed(s, failure("no_capacity"), null, T0.plusSeconds(5));
        assertThat(s.status).as("nothing comparable was found").isEqualTo(SessionStatus.failed);
    }

    @Test
    void aFailureOfAnOlderAttemptsCreateIsStaleAndWantsNoOffer() {
        autoRetry(2);
        saga.start(s, T0);
        ProvisionFailed stale = new ProvisionFailed(
                "an-older-command", s.id, "vastai", s.offer.offerId, null, "no_capacity", "x", true, T0);
        assertThat(saga.wantsOfferAfter(s, stale, T0)).isFalse();
        Step step = saga.onProvisionFailed(s, stale, other(), T0.plusSeconds(5));
        assertThat(step.events()).isEmpty();
        assertThat(s.status).isEqualTo(SessionStatus.pending);
        assertThat(s.offer.offerId).isEqualTo("vastai-1");
    }

    @Test
    void aHostThatFailedVerificationWantsAnotherOfferOnlyWhileItNeverRanAndAttemptsAreLeft() {
        autoRetry(2);
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "42",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "running",
                        T0),
                T0);
        saga.onVerified(s, new HostReport(null, null, "NVIDIA GeForce RTX 3090", 1, 24576, "550", 12.4, 0), T0);
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(saga.wantsOfferAfterDestroy(s, T0)).isTrue();
        s.terms.maxRetries = 0;
        assertThat(saga.wantsOfferAfterDestroy(s, T0)).as("no attempts left").isFalse();
        Step end = saga.onTerminated(
                s, new InstanceTerminated("c", s.id, "vastai", "42", T0.plusSeconds(5)), other(), T0.plusSeconds(5));
        assertThat(s.status).as("an offer without attempts left is not taken").isEqualTo(SessionStatus.failed);
        assertThat(end.of(SessionFailed.class)).hasSize(1);
    }

    @Test
    void aSessionStoppedByItsUserWantsNoOfferAfterTheDestroy() {
        autoRetry(2);
        running();
        saga.stop(s, StopReason.done, T0.plusSeconds(60));
        assertThat(saga.wantsOfferAfterDestroy(s, T0)).isFalse();
        assertThat(s.saga.finalStatus).isEqualTo(SessionStatus.stopped);
        assertThat(s.saga.stopReason).isEqualTo("done");
    }

    @Test
    void aFailureIsStoppedWithItsErrorClassAndEndsFailed() {
        running();
        Step step = saga.compensate(s, "instance vanished", "instance_lost", T0.plusSeconds(60));
        assertThat(s.saga.stopReason).isEqualTo("failed: instance_lost");
        assertThat(s.saga.stopReason()).isEqualTo(StopReason.failed);
        assertThat(s.saga.finalStatus).isEqualTo(SessionStatus.failed);
        assertThat(step.of(SessionStopping.class))
                .extracting(SessionStopping::reason)
                .containsExactly("failed: instance_lost");
        assertThat(step.of(TerminateInstance.class))
                .extracting(TerminateInstance::reason)
                .containsExactly("failed: instance_lost");
    }

    @Test
    void aBudgetOverrunStopsALiveSessionAndLeavesAnEndedOneAlone() {
        running();
        Step step = saga.onBudgetExceeded(s, T0.plusSeconds(60));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.stopReason).isEqualTo("budget_exceeded");
        assertThat(step.of(TerminateInstance.class)).hasSize(1);
        s.status = SessionStatus.stopped;
        assertThat(saga.onBudgetExceeded(s, T0.plusSeconds(61)).events()).isEmpty();
    }

    InstanceListing.ListedInstance listed(String sessionId, String instanceId, Instant createdAt) {
        return new InstanceListing.ListedInstance(
                instanceId, "gpub-local-" + sessionId, sessionId, "running", createdAt);
    }

    @Test
    void aListedInstanceIsAnOrphanUnlessALiveOrStoppingSessionOwnsItOnThatProvider() {
        running();
        Instant now = T0.plus(Duration.ofMinutes(30));
        assertThat(saga.isOrphan(s, "vastai", listed(s.id, "42", T0), now))
                .as("its own instance")
                .isFalse();
        assertThat(saga.isOrphan(s, "vastai", listed(s.id, "43", T0), now))
                .as("a second instance")
                .isTrue();
        assertThat(saga.isOrphan(s, "tensordock", listed(s.id, "42", T0), now))
                .as("another provider")
                .isTrue();
        s.status = SessionStatus.stopping;
        assertThat(saga.isOrphan(s, "vastai", listed(s.id, "42", T0), now))
                .as("still being destroyed")
                .isFalse();
        s.status = SessionStatus.stopped;
        assertThat(saga.isOrphan(s, "vastai", listed(s.id, "42", T0), now))
                .as("its session ended")
                .isTrue();
    }

    @Test
    void anInstanceOfAnUnknownSessionGetsTheGracePeriodUnlessItsAgeCannotBeTold() {
        Instant now = T0.plus(Duration.ofMinutes(30));
        assertThat(saga.isOrphan(null, "vastai", listed("sess-x", "9", now.minus(Duration.ofMinutes(5))), now))
                .isFalse();
        assertThat(saga.isOrphan(null, "vastai", listed("sess-x", "9", now.minus(Duration.ofMinutes(10))), now))
                .isTrue();
        assertThat(saga.isOrphan(null, "vastai", listed("sess-x", "9", null), now))
                .isTrue();
        assertThat(saga.isOrphan(null, "vastai", listed("sess-x", "9", now.plusSeconds(60)), now))
                .as("a clock ahead of ours")
                .isTrue();
    }

    @Test
    void anOrphanIsCommandedDestroyedThroughTheGatewayProxy() {
        Step step = saga.onOrphan("vastai", listed("sess-x", "9", T0), T0);
        assertThat(step.of(TerminateInstance.class)).singleElement().satisfies(t -> {
            assertThat(t.sessionId()).isEqualTo("sess-x");
            assertThat(t.instanceId()).isEqualTo("9");
            assertThat(t.reason()).isEqualTo("orphan");
        });
        assertThat(saga.orphanResendAfter()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void anInstanceMissingFromACompleteListingIsLookedUpOnlyAfterTheGracePeriod() {
        running();
        s.saga.provisioningStartedAt = T0;
        assertThat(saga.onMissingFromListing(s, T0.plus(Duration.ofMinutes(5))).events())
                .isEmpty();
        Step step = saga.onMissingFromListing(s, T0.plus(Duration.ofMinutes(10)));
        assertThat(step.of(DescribeInstance.class)).singleElement().satisfies(d -> {
            assertThat(d.instanceId()).isEqualTo("42");
            assertThat(d.deadline()).as("answered however late").isNull();
        });
        assertThat(s.status).as("missing is not proof").isEqualTo(SessionStatus.running);
    }

    @Test
    void aRestartLooksUpEveryRunningInstanceAndTerminatesNothing() {
        running();
        Step step = saga.onResumed(s, T0.plusSeconds(90));
        assertThat(step.events()).singleElement().isInstanceOf(DescribeInstance.class);
        assertThat(s.status).isEqualTo(SessionStatus.running);
    }

    @Test
    void aHeartbeatNeedsTheAgentTokenAndARunningSessionAndCountsAsActivity() {
        s.terms.idleThresholdMinutes = 30;
        running();
        assertThatThrownBy(() -> saga.onHeartbeat(s, "wrong", 80, null, T0.plusSeconds(60)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        saga.onHeartbeat(s, "token", 80, null, T0.plus(Duration.ofMinutes(20)));
        assertThat(s.lease.lastActivityAt).isEqualTo(T0.plus(Duration.ofMinutes(20)));
        assertThat(s.lease.gpuUtilPct).isEqualTo(80);
        s.status = SessionStatus.stopping;
        assertThatThrownBy(() -> saga.onHeartbeat(s, "token", 80, null, T0.plus(Duration.ofMinutes(21))))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void anExtensionNeedsARunningSessionAndStaysWithinTheHardMaximum() {
        assertThatThrownBy(() -> saga.extend(s, 1, T0))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        running();
        assertThatThrownBy(() -> saga.extend(s, 11, T0.plusSeconds(60)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getMessage()).contains("at most 10 more hours"));
        assertThat(s.lease.expiresAt).as("a refused extension changes nothing").isEqualTo(T0.plus(Duration.ofHours(2)));
        saga.extend(s, 10, T0.plusSeconds(60));
        assertThat(s.lease.expiresAt).isEqualTo(s.lease.hardMaxAt);
    }

    @Test
    void aFailedGpuProbeChangesNothingAndABusyOneIsActivity() {
        s.terms.idleThresholdMinutes = 30;
        running();
        Instant before = s.lease.lastActivityAt;
        saga.onGpuProbed(s, null, T0.plus(Duration.ofMinutes(10)));
        assertThat(s.lease.lastActivityAt).isEqualTo(before);
        saga.onGpuProbed(s, 90, T0.plus(Duration.ofMinutes(10)));
        assertThat(s.lease.lastActivityAt).isEqualTo(T0.plus(Duration.ofMinutes(10)));
    }

    @Test
    void aPlainSshSessionThatStartsRunningDropsTheBrokersKeyAndThenRetiresTheSalt() {
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "42",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "running",
                        T0),
                T0);
        Step started = saga.onVerified(
                s, new HostReport(null, null, "NVIDIA GeForce RTX 4090", 1, 24564, "560.35.03", 12.6, 0), T0);
        assertThat(started.action()).isEqualTo(Step.Action.DROP_ACCESS);
        saga.onAccessDropped(s, T0.plusSeconds(5));
        assertThat(s.keys.verifySalt).isEqualTo(SessionKeys.RETIRED);
    }

    @Test
    void aSessionWithIdleDetectionKeepsTheBrokersKeyForItsGpuProbes() {
        s.terms.idleThresholdMinutes = 30;
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "42",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "running",
                        T0),
                T0);
        Step started = saga.onVerified(
                s, new HostReport(null, null, "NVIDIA GeForce RTX 4090", 1, 24564, "560.35.03", 12.6, 0), T0);
        assertThat(started.action()).isEqualTo(Step.Action.NONE);
    }

    @Test
    void anEndedSessionLosesItsSaltButAStoppingOneKeepsIt() {
        running();
        saga.stop(s, StopReason.done, T0.plusSeconds(60));
        ProvisionSessionSaga.endAccess(s);
        assertThat(s.keys.verifySalt).as("an auto-retry may still need it").isEqualTo("salt");
        saga.onTerminated(s, new InstanceTerminated("c", s.id, "vastai", "42", T0.plusSeconds(70)), T0.plusSeconds(70));
        ProvisionSessionSaga.endAccess(s);
        assertThat(s.keys.verifySalt).isEqualTo(SessionKeys.RETIRED);
    }

    @Test
    void aStatusReplyForTheRunningInstanceThatSaysGoneFailsTheSession() {
        running();
        saga.onStatus(
                s,
                new InstanceStatus("c", s.id, "vastai", "42", null, "gone", null, null, null, null, null, T0),
                T0.plus(Duration.ofHours(1)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.errorClass).isEqualTo("instance_lost");
    }
}
