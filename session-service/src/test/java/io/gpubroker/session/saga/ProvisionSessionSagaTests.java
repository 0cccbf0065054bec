package io.gpubroker.session.saga;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.contracts.TerminateFailed;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.ssh.HostReport;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The saga table without a broker: given a reply or a timer, expect the next state and commands. */
class ProvisionSessionSagaTests {

    static final Instant T0 = Instant.parse("2026-01-29T12:00:00Z");

    static SessionConfig cfg() {
        return new SessionConfig() {
            public Duration hardMax() {
                return Duration.ofHours(12);
            }

            public Duration provisionResendAfter() {
                return Duration.ofMinutes(2);
            }

            public int provisionMaxResends() {
                return 2;
            }

            public Duration provisionDeadline() {
                return Duration.ofMinutes(10);
            }

            public Duration provisionDeadlineRealMin() {
                return Duration.ofSeconds(90);
            }

            public Duration provisionReplyGrace() {
                return Duration.ofMinutes(2);
            }

            public Duration provisionReplyGraceRealMin() {
                return Duration.ofSeconds(15);
            }

            public Duration pollRealMin() {
                return Duration.ofSeconds(2);
            }

            public Map<String, Duration> verifyTimeout() {
                return Map.of("default", Duration.ofMinutes(15), "llm", Duration.ofMinutes(30));
            }

            public Duration verifyTimeoutRealMin() {
                return Duration.ofSeconds(45);
            }

            public Duration pollMin() {
                return Duration.ofSeconds(5);
            }

            public Duration pollMax() {
                return Duration.ofSeconds(60);
            }

            public Duration terminateRetryMin() {
                return Duration.ofSeconds(10);
            }

            public Duration terminateRetryMax() {
                return Duration.ofMinutes(5);
            }

            public Duration idleProbeEvery() {
                return Duration.ofMinutes(5);
            }

            public Duration idleGrace() {
                return Duration.ofMinutes(5);
            }

            public Duration statusPollEvery() {
                return Duration.ofMinutes(5);
            }

            public int idleUtilPct() {
                return 5;
            }

            public int maxActivePerConsumer() {
                return 5;
            }

            public Duration orphanGrace() {
                return Duration.ofMinutes(10);
            }

            public double retryPriceFactor() {
                return 1.25;
            }

            public Duration tick() {
                return Duration.ofMillis(500);
            }

            public Duration sshTimeout() {
                return Duration.ofSeconds(10);
            }

            public Failover failover() {
                return new Failover() {
                    public java.util.Set<String> providers() {
                        return java.util.Set.of("vastai", "tensordock", "rackrr", "barrack", "trooper");
                    }

                    public boolean offerDefault() {
                        return true;
                    }

                    public int defaultRetries() {
                        return 3;
                    }

                    public Duration window() {
                        return Duration.ofMinutes(30);
                    }

                    public Duration windowRealMin() {
                        return Duration.ofMinutes(5);
                    }

                    public int searchLimit() {
                        return 50;
                    }

                    public int maxLookups() {
                        return 6;
                    }
                };
            }

            public App app() {
                return new App() {
                    public java.util.Set<String> containerProviders() {
                        return java.util.Set.of("vastai");
                    }

                    public java.util.Set<String> portProviders() {
                        return java.util.Set.of("vastai", "tensordock", "barrack");
                    }

                    public int defaultPort() {
                        return 8000;
                    }

                    public String healthPath() {
                        return "/health";
                    }

                    public Duration healthTimeout() {
                        return Duration.ofMinutes(30);
                    }

                    public Duration launchTimeout() {
                        return Duration.ofMinutes(20);
                    }

                    public Duration healthRequestTimeout() {
                        return Duration.ofSeconds(5);
                    }
                };
            }
        };
    }

    ProvisionSessionSaga saga;
    Session s;

    @BeforeEach
    void session() {
        saga = new ProvisionSessionSaga(cfg(), x -> List.of("ssh-ed25519 AAAAverify", "ssh-ed25519 AAAAuser"));
        s = pendingSession();
    }

    /** A pending session on a Vast RTX 4090 offer, created at T0 for two hours. */
    static Session pendingSession() {
        Session s = new Session();
        s.id = "sess-1";
        s.consumerId = "team";
        s.offer.offerId = "vastai-1";
        s.offer.provider = "vastai";
        s.offer.gpuType = "RTX 4090";
        s.offer.gpuCount = 1;
        s.offer.vramGb = 24;
        s.offer.offerCuda = new BigDecimal("12.4");
        s.offer.pricePerHour = new BigDecimal("0.45");
        s.offer.currency = "USD";
        s.status = SessionStatus.pending;
        s.terms.workloadType = "batch";
        s.terms.reservationHours = 2;
        s.lease.createdAt = T0;
        s.lease.expiresAt = T0.plus(Duration.ofHours(2));
        s.lease.hardMaxAt = T0.plus(Duration.ofHours(12));
        return s;
    }

    HostReport good() {
        return new HostReport(null, null, "NVIDIA GeForce RTX 4090", 1, 24564, "560.35.03", 12.6, 0);
    }

    Session running() {
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "42",
                        "gpub-local-sess-1",
                        null,
                        null,
                        null,
                        "loading",
                        T0),
                T0);
        saga.onStatus(
                s,
                new InstanceStatus(
                        "c", s.id, "vastai", "42", "running", "running", "127.0.0.1", 2222, "root", null, null, T0),
                T0);
        saga.onVerified(s, good(), T0.plusSeconds(30));
        return s;
    }

    @Test
    void startSendsProvisionInstanceWithBothKeys() {
        Step step = saga.start(s, T0);
        ProvisionInstance cmd = step.of(ProvisionInstance.class).get(0);
        assertThat(cmd.sshPublicKeys()).containsExactly("ssh-ed25519 AAAAverify", "ssh-ed25519 AAAAuser");
        assertThat(cmd.commandId()).isEqualTo(s.saga.provisionCommandId);
        assertThat(s.saga.nextCheckAt).isEqualTo(T0.plus(Duration.ofMinutes(2)));
    }

    @Test
    void anUnansweredProvisionIsResentWithTheSameCommandIdUntilItsDeadlineThenFailsAfterTheGrace() {
        Step first = saga.start(s, T0);
        String cmd = s.saga.provisionCommandId;
        ProvisionInstance sent = first.of(ProvisionInstance.class).get(0);
        assertThat(sent.deadline()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(sent.attempt()).isZero();
        for (int minute = 2; minute <= 8; minute += 2) {
            Step again = saga.onCheck(s, T0.plus(Duration.ofMinutes(minute)));
            assertThat(again.of(ProvisionInstance.class))
                    .extracting(ProvisionInstance::commandId)
                    .containsExactly(cmd);
            assertThat(again.of(ProvisionInstance.class).get(0).deadline())
                    .as("a resend keeps the first deadline")
                    .isEqualTo(sent.deadline());
        }
        assertThat(s.status).isEqualTo(SessionStatus.pending);
        assertThat(s.saga.nextCheckAt)
                .as("past the deadline nothing is resent: the answer to a begun create is awaited")
                .isEqualTo(T0.plus(Duration.ofMinutes(12)));
        Step last = saga.onCheck(s, T0.plus(Duration.ofMinutes(12)));
        assertThat(s.status).isEqualTo(SessionStatus.failed);
        assertThat(s.saga.failureReason).contains("deadline");
        assertThat(last.of(SessionFailed.class)).hasSize(1);
        assertThat(last.of(ProvisionInstance.class)).isEmpty();
    }

    @Test
    void onAFastClockTheWaitForProviderGatewayHasARealTimeFloor() {
        ProvisionSessionSaga fast = new ProvisionSessionSaga(cfg(), x -> List.of("ssh-ed25519 AAAAuser"), 60);
        ProvisionInstance cmd = fast.start(s, T0).of(ProvisionInstance.class).get(0);
        assertThat(cmd.deadline()).as("90 real seconds at 60x").isEqualTo(T0.plus(Duration.ofMinutes(90)));
        assertThat(fast.timings.pollMin())
                .as("2 real seconds between lookups at 60x")
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(saga.timings.pollMin())
                .as("the broker-time value where it is longer")
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void anExpiredCreateFailsTheSessionWithTheGatewaysReasonAndIsNeverRetriedElsewhere() {
        s.terms.autoRetry = true;
        s.terms.maxRetries = 2;
        saga.start(s, T0);
        var expired = new io.gpubroker.contracts.ProvisionFailed(
                s.saga.provisionCommandId,
                s.id,
                "vastai",
                s.offer.offerId,
                null,
                "expired",
                "the create waited in provider-gateway's queue past its deadline",
                false,
                T0.plusSeconds(700));
        Offer other = new Offer(
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
        assertThat(ProvisionSessionSaga.mayRetry(s, other, expired, T0)).isFalse();
        saga.onProvisionFailed(s, expired, T0.plusSeconds(700));
        assertThat(s.status).isEqualTo(SessionStatus.failed);
        assertThat(s.saga.failureReason).contains("deadline");
    }

    @Test
    void anInstanceThatArrivesAfterTheSessionFailedIsDestroyedAtOnce() {
        saga.start(s, T0);
        saga.onCheck(s, T0.plus(Duration.ofMinutes(12)));
        assertThat(s.status).isEqualTo(SessionStatus.failed);
        Step late = saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "77",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "running",
                        T0.plus(Duration.ofMinutes(13))),
                T0.plus(Duration.ofMinutes(13)));
        assertThat(late.unwanted()).extracting(TerminateInstance::instanceId).containsExactly("77");
        assertThat(late.of(TerminateInstance.class)).hasSize(1);
        assertThat(s.status)
                .as("the session stays failed; the instance is destroyed as unwanted")
                .isEqualTo(SessionStatus.failed);
        assertThat(s.host.instanceId).isEqualTo("77");
    }

    @Test
    void anEarlierAttemptsInstanceIsDestroyedAndNeverBecomesTheSessions() {
        s.terms.autoRetry = true;
        s.terms.maxRetries = 2;
        saga.start(s, T0);
        String first = s.saga.provisionCommandId;
        Offer other = new Offer(
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
        Step retry = saga.retryOn(s, other, "no_capacity", T0.plusSeconds(10));
        assertThat(retry.of(ProvisionInstance.class).get(0).attempt()).isEqualTo(1);
        Step old = saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        first,
                        s.id,
                        "vastai",
                        "vastai-1",
                        "old-1",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "running",
                        T0.plusSeconds(20)),
                T0.plusSeconds(20));
        assertThat(old.unwanted()).extracting(TerminateInstance::instanceId).containsExactly("old-1");
        assertThat(old.unwanted()).extracting(TerminateInstance::provider).containsExactly("vastai");
        assertThat(s.host.instanceId).isNull();
        assertThat(s.status).isEqualTo(SessionStatus.pending);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "tensordock",
                        "tensordock-2",
                        "new-1",
                        "t",
                        null,
                        null,
                        null,
                        "loading",
                        T0.plusSeconds(30)),
                T0.plusSeconds(30));
        assertThat(s.host.instanceId).isEqualTo("new-1");
        assertThat(s.status).isEqualTo(SessionStatus.provisioning);
    }

    @Test
    void aLateStatusOfAnEarlierAttemptsInstanceChangesNothing() {
        s.terms.autoRetry = true;
        s.terms.maxRetries = 2;
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "new-1",
                        "t",
                        "10.0.0.2",
                        22,
                        "root",
                        "loading",
                        T0),
                T0);
        saga.onStatus(
                s,
                new InstanceStatus(
                        "c", s.id, "vastai", "old-1", "running", "running", "10.0.0.1", 2222, "root", null, null, T0),
                T0);
        assertThat(s.host.sshHost).isEqualTo("10.0.0.2");
        assertThat(s.host.instanceReady).isFalse();
    }

    @Test
    void theConfirmationThatAnUnwantedInstanceIsGoneDoesNotEndTheSession() {
        running();
        saga.stop(s, StopReason.done, T0.plusSeconds(60));
        saga.onTerminated(
                s, new InstanceTerminated("c", s.id, "vastai", "old-1", T0.plusSeconds(61)), T0.plusSeconds(61));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        saga.onTerminated(s, new InstanceTerminated("c", s.id, "vastai", "42", T0.plusSeconds(62)), T0.plusSeconds(62));
        assertThat(s.status).isEqualTo(SessionStatus.stopped);
    }

    @Test
    void provisionedMovesToProvisioningAndPollsStatusUntilRunningThenVerifies() {
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
                        null,
                        null,
                        null,
                        "loading",
                        T0),
                T0);
        assertThat(s.status).isEqualTo(SessionStatus.provisioning);
        assertThat(s.host.instanceId).isEqualTo("42");
        Step poll = saga.onCheck(s, T0);
        assertThat(poll.of(DescribeInstance.class)).hasSize(1);
        assertThat(poll.action()).isEqualTo(Step.Action.NONE);
        saga.onStatus(
                s,
                new InstanceStatus(
                        "c", s.id, "vastai", "42", "running", "running", "127.0.0.1", 2222, "root", null, null, T0),
                T0);
        assertThat(saga.onCheck(s, T0.plusSeconds(10)).action()).isEqualTo(Step.Action.VERIFY_SSH);
    }

    @Test
    void aVerifiedMatchingHostStartsTheSessionAndBilling() {
        running();
        assertThat(s.status).isEqualTo(SessionStatus.running);
        assertThat(s.lease.startedAt).isEqualTo(T0.plusSeconds(30));
        assertThat(s.saga.nextCheckAt).isEqualTo(T0.plusSeconds(30).plus(Duration.ofMinutes(5)));
        Step poll = saga.onCheck(s, s.saga.nextCheckAt);
        assertThat(poll.of(DescribeInstance.class)).hasSize(1);
        assertThat(s.status).isEqualTo(SessionStatus.running);
    }

    @Test
    void aHostWithAnotherGpuIsDestroyedAndTheSessionFails() {
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
        Step step =
                saga.onVerified(s, new HostReport(null, null, "NVIDIA GeForce RTX 3090", 1, 24576, "550", 12.4, 0), T0);
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.finalStatus).isEqualTo(SessionStatus.failed);
        assertThat(step.of(TerminateInstance.class))
                .extracting(TerminateInstance::instanceId)
                .containsExactly("42");
        assertThat(s.saga.failureReason).contains("RTX 3090");
        Step gone = saga.onTerminated(
                s, new InstanceTerminated("c", s.id, "vastai", "42", T0.plusSeconds(5)), T0.plusSeconds(5));
        assertThat(s.status).isEqualTo(SessionStatus.failed);
        assertThat(gone.of(SessionFailed.class)).hasSize(1);
    }

    @Test
    void theFirstHostKeyIsPinnedNeverReplacedAndAChangedKeyFailsVerificationUntilTheDeadline() {
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
                        "loading",
                        T0),
                T0);
        saga.onVerified(
                s,
                HostReport.failed(HostReport.Failure.COMMAND_FAILED, "nvidia-smi missing")
                        .withHostKey("SHA256:first"),
                T0.plusSeconds(10));
        assertThat(s.host.sshHostKey).isEqualTo("SHA256:first");
        saga.onStatus(
                s,
                new InstanceStatus(
                        "c",
                        s.id,
                        "vastai",
                        "42",
                        "running",
                        "running",
                        "127.0.0.1",
                        2222,
                        "root",
                        "SHA256:other",
                        null,
                        null,
                        T0.plusSeconds(20)),
                T0.plusSeconds(20));
        assertThat(s.host.sshHostKey).as("a pin is never replaced").isEqualTo("SHA256:first");
        saga.onVerified(
                s,
                HostReport.failed(
                        HostReport.Failure.HOST_KEY_MISMATCH,
                        "host key changed: expected SHA256:first, got SHA256:other"),
                T0.plusSeconds(30));
        assertThat(s.status).isEqualTo(SessionStatus.provisioning);
        saga.onCheck(s, T0.plus(Duration.ofMinutes(15)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.failureReason).contains("host key changed: expected SHA256:first, got SHA256:other");
    }

    @Test
    void aPinReportedByTheGatewayIsTakenAndAnAutoRetryOnAnotherInstanceForgetsIt() {
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "trooper",
                        s.offer.offerId,
                        "42",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "SHA256:gateway",
                        "running",
                        T0),
                T0);
        assertThat(s.host.sshHostKey).isEqualTo("SHA256:gateway");
        saga.retryOn(
                s,
                new Offer(
                        "vastai-2",
                        "vastai",
                        "2",
                        "RTX 4090",
                        1,
                        24,
                        new BigDecimal("0.45"),
                        "US",
                        true,
                        false,
                        T0,
                        new BigDecimal("12.4"),
                        null,
                        Map.of(),
                        false),
                "no capacity",
                T0.plusSeconds(5));
        assertThat(s.host.sshHostKey).isNull();
    }

    @Test
    void sshThatNeverWorksFailsAtTheWorkloadDeadlineAndCompensates() {
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
                        null,
                        null,
                        null,
                        "loading",
                        T0),
                T0);
        saga.onVerified(s, HostReport.failed(HostReport.Failure.UNREACHABLE, "refused"), T0.plusSeconds(60));
        assertThat(s.status).isEqualTo(SessionStatus.provisioning);
        Step late = saga.onCheck(s, T0.plus(Duration.ofMinutes(15)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(late.of(TerminateInstance.class)).hasSize(1);
        assertThat(s.saga.failureReason)
                .contains("did not succeed within 15 minutes")
                .contains("refused");
    }

    @Test
    void aProvisionFailureWithoutInstanceFailsAtOnce() {
        saga.start(s, T0);
        Step step = saga.onProvisionFailed(
                s,
                new ProvisionFailed(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        null,
                        "stale_inventory",
                        "no_such_ask",
                        false,
                        T0),
                T0);
        assertThat(s.status).isEqualTo(SessionStatus.failed);
        assertThat(s.saga.errorClass).isEqualTo("stale_inventory");
        assertThat(step.of(TerminateInstance.class)).isEmpty();
    }

    @Test
    void doneStopsOnlyAfterTheProviderConfirmsAndCarriesTheExactEnd() {
        running();
        Step stop = saga.stop(s, StopReason.done, T0.plus(Duration.ofMinutes(10)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(stop.of(TerminateInstance.class)).hasSize(1);
        saga.onTerminateFailed(
                s,
                new TerminateFailed("c", s.id, "vastai", "42", "transient", "503", T0),
                T0.plus(Duration.ofMinutes(10)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        Step retry = saga.onCheck(s, s.saga.nextCheckAt);
        assertThat(retry.of(TerminateInstance.class)).hasSize(1);
        Instant gone = T0.plus(Duration.ofMinutes(11));
        Step end = saga.onTerminated(s, new InstanceTerminated("c", s.id, "vastai", "42", gone), gone);
        assertThat(s.status).isEqualTo(SessionStatus.stopped);
        SessionStopped ev = end.of(SessionStopped.class).get(0);
        assertThat(ev.stoppedAt()).isEqualTo(gone);
        assertThat(ev.startedAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void destroyRetriesBackOffButNeverGiveUp() {
        running();
        saga.stop(s, StopReason.done, T0);
        Instant t = T0;
        for (int i = 0; i < 50; i++) {
            t = s.saga.nextCheckAt;
            Step step = saga.onCheck(s, t);
            assertThat(step.of(TerminateInstance.class)).hasSize(1);
        }
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(Duration.between(t, s.saga.nextCheckAt)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void expiryAndHardMaxStopARunningSession() {
        running();
        saga.onCheck(s, s.lease.expiresAt);
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.stopReason).isEqualTo("expired");
    }

    @Test
    void idleSessionsAreWarnedThenStopped() {
        s.terms.idleThresholdMinutes = 30;
        running();
        Instant t = T0.plus(Duration.ofMinutes(31));
        saga.onCheck(s, t);
        assertThat(s.lease.idleWarnedAt).isEqualTo(t);
        assertThat(s.status).isEqualTo(SessionStatus.running);
        saga.onCheck(s, t.plus(Duration.ofMinutes(5)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.stopReason).isEqualTo("idle");
    }

    @Test
    void gpuActivityClearsTheIdleWarning() {
        s.terms.idleThresholdMinutes = 30;
        running();
        Instant t = T0.plus(Duration.ofMinutes(31));
        saga.onCheck(s, t);
        saga.onActivity(s, 80, null, t.plusSeconds(60));
        assertThat(s.lease.idleWarnedAt).isNull();
        saga.onCheck(s, t.plus(Duration.ofMinutes(5)));
        assertThat(s.status).isEqualTo(SessionStatus.running);
    }

    @Test
    void aRunningInstanceConfirmedGoneFailsTheSessionThroughVerifiedTermination() {
        running();
        saga.onStatus(
                s,
                new InstanceStatus("c", s.id, "vastai", "42", null, "gone", null, null, null, null, null, T0),
                T0.plus(Duration.ofHours(1)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.finalStatus).isEqualTo(SessionStatus.failed);
    }

    @Test
    void endingWhileTheCreateIsInFlightDestroysWhatItCreated() {
        saga.start(s, T0);
        saga.stop(s, StopReason.deleted, T0);
        Step step = saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        "vastai",
                        s.offer.offerId,
                        "77",
                        "t",
                        null,
                        null,
                        null,
                        "loading",
                        T0),
                T0);
        assertThat(step.of(TerminateInstance.class))
                .extracting(TerminateInstance::instanceId)
                .containsExactly("77");
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
    }

    @Test
    void extendingMovesExpiry() {
        running();
        Step step = saga.extend(s, 2, T0.plus(Duration.ofHours(1)));
        assertThat(s.lease.expiresAt).isEqualTo(T0.plus(Duration.ofHours(4)));
        assertThat(step.events()).hasSize(1);
    }

    @Test
    void startedCarriesPriceForBilling() {
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
        Step st = saga.onVerified(s, good(), T0);
        assertThat(st.of(SessionStarted.class).get(0).pricePerHour()).isEqualByComparingTo("0.45");
    }

    Session entrypoint(String provider) {
        s.offer.provider = provider;
        s.terms.launchMode = LaunchMode.entrypoint;
        s.terms.dockerImage = "vllm/vllm-openai:v0.11.0";
        s.terms.modelId = "Qwen/Qwen3-8B";
        s.terms.quantization = "awq";
        s.terms.exposedPorts = "8000";
        return s;
    }

    void verifiedHost(Instant at) {
        saga.start(s, T0);
        saga.onProvisioned(
                s,
                new InstanceProvisioned(
                        s.saga.provisionCommandId,
                        s.id,
                        s.offer.provider,
                        s.offer.offerId,
                        "42",
                        "t",
                        "127.0.0.1",
                        2222,
                        "root",
                        "running",
                        T0),
                T0);
        saga.onStatus(
                s,
                new InstanceStatus(
                        "c",
                        s.id,
                        s.offer.provider,
                        "42",
                        "running",
                        "running",
                        "127.0.0.1",
                        2222,
                        "root",
                        null,
                        null,
                        T0),
                T0);
    }

    @Test
    void entrypointOnAVmLaunchesTheImageOverSshAndRunsOnlyOnceItsApiIsHealthy() {
        entrypoint("tensordock");
        ProvisionInstance cmd = saga.start(s, T0).of(ProvisionInstance.class).get(0);
        assertThat(cmd.startCommand())
                .as("a VM gets the container over SSH, not at create")
                .isNull();
        assertThat(cmd.exposedPorts()).containsExactly(8000);
        verifiedHost(T0);
        Step afterVerify = saga.onVerified(s, good(), T0.plusSeconds(30));
        assertThat(s.status).isEqualTo(SessionStatus.provisioning);
        assertThat(afterVerify.of(SessionStarted.class))
                .as("no billing before the API answers")
                .isEmpty();
        assertThat(afterVerify.action()).isEqualTo(Step.Action.LAUNCH_APP);
        assertThat(saga.dockerRun(s))
                .isEqualTo("docker run -d --name gpubroker-app --restart unless-stopped --gpus all --ipc=host"
                        + " -p 8000:8000 -e MODEL_ID=Qwen/Qwen3-8B -e QUANTIZATION=awq -e PORT=8000 vllm/vllm-openai:v0.11.0"
                        + " --model Qwen/Qwen3-8B --host 0.0.0.0 --port 8000 --quantization awq");
        // a timer while docker still pulls does not launch a second time
        assertThat(saga.onCheck(s, T0.plusSeconds(90)).action()).isEqualTo(Step.Action.NONE);
        saga.onAppLaunched(s, true, "exit 0", T0.plusSeconds(120));
        Step check = saga.onCheck(s, T0.plusSeconds(120));
        assertThat(check.action()).isEqualTo(Step.Action.CHECK_APP);
        assertThat(check.of(DescribeInstance.class))
                .as("the instance is watched while the model loads")
                .hasSize(1);
        saga.onStatus(
                s,
                new InstanceStatus(
                        "c",
                        s.id,
                        "tensordock",
                        "42",
                        "running",
                        "running",
                        "127.0.0.1",
                        2222,
                        "user",
                        "http://127.0.0.1:20456",
                        null,
                        T0),
                T0.plusSeconds(121));
        assertThat(saga.appEndpoint(s)).isEqualTo("http://127.0.0.1:20456");
        saga.onAppHealth(s, "http://127.0.0.1:20456", false, "answered 503", T0.plusSeconds(125));
        assertThat(s.status).isEqualTo(SessionStatus.provisioning);
        Step started = saga.onAppHealth(s, "http://127.0.0.1:20456", true, null, T0.plusSeconds(300));
        assertThat(s.status).isEqualTo(SessionStatus.running);
        assertThat(s.host.apiEndpoint).isEqualTo("http://127.0.0.1:20456");
        assertThat(started.of(SessionStarted.class))
                .extracting(SessionStarted::startedAt)
                .containsExactly(T0.plusSeconds(300));
    }

    @Test
    void entrypointOnAContainerProviderStartsWithTheCreateAndOnlyWaitsForHealth() {
        entrypoint("vastai");
        ProvisionInstance cmd = saga.start(s, T0).of(ProvisionInstance.class).get(0);
        assertThat(cmd.startCommand())
                .startsWith("nohup python3 -m vllm.entrypoints.openai.api_server --model Qwen/Qwen3-8B")
                .contains("--port 8000");
        assertThat(cmd.env()).containsEntry("MODEL_ID", "Qwen/Qwen3-8B").containsEntry("PORT", "8000");
        verifiedHost(T0);
        assertThat(saga.onVerified(s, good(), T0.plusSeconds(30)).action()).isEqualTo(Step.Action.CHECK_APP);
        assertThat(saga.appEndpoint(s))
                .as("no port reported: the host's own address")
                .isEqualTo("http://127.0.0.1:8000");
    }

    @Test
    void anImageThatFailsToStartOrNeverAnswersIsDestroyedWithTheReason() {
        entrypoint("tensordock");
        verifiedHost(T0);
        saga.onVerified(s, good(), T0.plusSeconds(30));
        Step failed = saga.onAppLaunched(s, false, "docker run exited 125: Unable to find image", T0.plusSeconds(40));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.errorClass).isEqualTo("app_launch_failed");
        assertThat(s.saga.failureReason).contains("Unable to find image");
        assertThat(failed.of(TerminateInstance.class)).hasSize(1);

        session();
        entrypoint("tensordock");
        verifiedHost(T0);
        saga.onVerified(s, good(), T0.plusSeconds(30));
        saga.onAppLaunched(s, true, "exit 0", T0.plusSeconds(40));
        saga.onAppHealth(s, "http://h:1", false, "http://h:1/health answered 503", T0.plusSeconds(50));
        Step late = saga.onCheck(s, T0.plusSeconds(30).plus(Duration.ofMinutes(30)));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.errorClass).isEqualTo("app_unhealthy");
        assertThat(s.saga.failureReason)
                .contains("did not answer /health within 30 minutes")
                .contains("answered 503");
        assertThat(late.of(TerminateInstance.class)).hasSize(1);
    }

    @Test
    void anAppThatAnswersHealthButFailsInferenceIsDestroyedBeforeBilling() {
        entrypoint("vastai");
        verifiedHost(T0);
        saga.onVerified(s, good(), T0.plusSeconds(30));
        Step broken = saga.onAppBroken(
                s, "a one-token completion of Qwen/Qwen3-8B answered 500 CUDA error", T0.plusSeconds(60));
        assertThat(s.status).isEqualTo(SessionStatus.stopping);
        assertThat(s.saga.errorClass).isEqualTo("app_inference_failed");
        assertThat(s.lease.startedAt).isNull();
        assertThat(broken.of(SessionStarted.class)).isEmpty();
        assertThat(broken.of(TerminateInstance.class)).hasSize(1);
    }

    @Test
    void aHostThatFailedVerificationIsDestroyedThenTheSessionMovesToAnotherOffer() {
        s.terms.autoRetry = true;
        s.terms.maxRetries = 2;
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
        Offer other = new Offer(
                "tensordock-2",
                "tensordock",
                "2",
                "RTX 3090",
                2,
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
        Step next = saga.onTerminatedRetry(
                s, new InstanceTerminated("c", s.id, "vastai", "42", T0.plusSeconds(5)), other, T0.plusSeconds(5));
        assertThat(s.status).isEqualTo(SessionStatus.pending);
        assertThat(s.offer.offerId).isEqualTo("tensordock-2");
        assertThat(s.offer.provider).isEqualTo("tensordock");
        assertThat(s.offer.gpuType)
                .as("the next host is checked against the new offer")
                .isEqualTo("RTX 3090");
        assertThat(s.offer.gpuCount).isEqualTo(2);
        assertThat(s.offer.offerCuda).isEqualByComparingTo("12.2");
        assertThat(s.saga.retryCount).isEqualTo(1);
        assertThat(s.saga.lastAttemptFailure).contains("RTX 3090");
        assertThat(s.host.instanceId).isNull();
        assertThat(s.saga.finalStatus).isNull();
        assertThat(next.of(ProvisionInstance.class))
                .extracting(ProvisionInstance::offerId)
                .containsExactly("tensordock-2");
        assertThat(next.of(SessionFailed.class)).isEmpty();
    }
}
