package io.gpubroker.session.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.time.Instant;

/** The provisioning saga's bookkeeping: the current create, deadlines, retries, how the session is ending, the next timer. */
@Embeddable
public class SagaState {
    @Column(name = "provision_command_id")
    public String provisionCommandId;

    @Column(name = "provision_sent_at")
    public Instant provisionSentAt;

    @Column(name = "provision_resends")
    public int provisionResends;
    /** The current create must not begin after this (the gateway drops it and answers "expired"). */
    @Column(name = "provision_deadline_at")
    public Instant provisionDeadlineAt;

    @Column(name = "provisioning_started_at")
    public Instant provisioningStartedAt;

    @Column(name = "verify_deadline_at")
    public Instant verifyDeadlineAt;

    @Column(name = "verify_attempts")
    public int verifyAttempts;
    /** Entrypoint mode: SSH and host truth passed; the app is launched / awaited from here. */
    @Column(name = "host_verified_at")
    public Instant hostVerifiedAt;

    @Column(name = "app_launch_sent_at")
    public Instant appLaunchSentAt;

    @Column(name = "app_launched_at")
    public Instant appLaunchedAt;

    @Column(name = "app_deadline_at")
    public Instant appDeadlineAt;
    /** The stored text of {@link StopReason} (with the error class when failed); read it typed with {@link #stopReason()}. */
    @Column(name = "stop_reason")
    public String stopReason;

    @Column(name = "final_status")
    @Enumerated(EnumType.STRING)
    public SessionStatus finalStatus;

    @Column(name = "terminate_attempts")
    public int terminateAttempts;

    @Column(name = "failure_reason")
    public String failureReason;

    @Column(name = "error_class")
    public String errorClass;

    @Column(name = "retry_count")
    public int retryCount;

    /** No failover to another offer starts after this (null: no limit in time, a session from before it existed). */
    @Column(name = "failover_until")
    public Instant failoverUntil;

    @Column(name = "next_check_at")
    public Instant nextCheckAt;
    /** Why the attempt an auto-retry just left ended (recorded in session_attempts, not a column). */
    @jakarta.persistence.Transient
    public String lastAttemptFailure;

    /** Why the session was ended, typed; null while nobody ended it. */
    public StopReason stopReason() {
        return StopReason.of(stopReason);
    }
}
