package io.gpubroker.session.domain;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A session: the user's lease on one provider instance, and the provisioning saga's state. */
@Entity
@Table(name = "sessions")
public class Session extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "consumer_id")
    public String consumerId;
    @Column(name = "offer_id")
    public String offerId;
    public String provider;
    @Column(name = "gpu_type")
    public String gpuType;
    @Column(name = "gpu_count")
    public int gpuCount;
    @Column(name = "vram_gb")
    public Integer vramGb;
    @Column(name = "price_per_hour")
    public BigDecimal pricePerHour;
    public String currency;
    @Enumerated(EnumType.STRING)
    public SessionStatus status;
    @Column(name = "workload_type")
    public String workloadType;
    @Column(name = "reservation_hours")
    public int reservationHours;
    @Column(name = "idle_threshold_minutes")
    public int idleThresholdMinutes;
    @Column(name = "storage_policy")
    @Enumerated(EnumType.STRING)
    public StoragePolicy storagePolicy;
    @Column(name = "launch_mode")
    @Enumerated(EnumType.STRING)
    public LaunchMode launchMode;
    @Column(name = "docker_image")
    public String dockerImage;
    @Column(name = "model_id")
    public String modelId;
    @Column(name = "exposed_ports")
    public String exposedPorts;
    public String quantization;
    @Column(name = "disk_gb")
    public int diskGb;
    @Column(name = "template_hash_id")
    public String templateHashId;
    @Column(name = "auto_retry")
    public boolean autoRetry;
    @Column(name = "max_retries")
    public int maxRetries;
    @Column(name = "retry_scope")
    @Enumerated(EnumType.STRING)
    public RetryScope retryScope;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "hard_max_at")
    public Instant hardMaxAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "offer_provisioning", columnDefinition = "jsonb")
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    public java.util.Map<String, String> offerProvisioning;
    @Column(name = "machine_id")
    public String machineId;
    @Column(name = "offer_cuda")
    public BigDecimal offerCuda;
    @Column(name = "user_public_key")
    public String userPublicKey;
    /** Random salt of the broker's verification key (SessionKeys); RETIRED once no SSH access is needed; null on pre-salt rows. */
    @Column(name = "verify_salt")
    public String verifySalt;
    /** The instance's pinned SSH host key (SHA256:...): reported by the gateway (Trooper) or pinned at the first verification. */
    @Column(name = "ssh_host_key")
    public String sshHostKey;
    @Column(name = "agent_token_hash")
    public String agentTokenHash;
    @Column(name = "instance_id")
    public String instanceId;
    @Column(name = "ssh_host")
    public String sshHost;
    @Column(name = "ssh_port")
    public Integer sshPort;
    @Column(name = "ssh_user")
    public String sshUser;
    @Column(name = "provider_state")
    public String providerState;
    @Column(name = "instance_ready")
    public boolean instanceReady;
    @Column(name = "api_endpoint")
    public String apiEndpoint;
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
    @Column(name = "started_at")
    public Instant startedAt;
    /** The stored text of {@link StopReason} (with the error class when failed); read it typed with {@link #stopReason()}. */
    @Column(name = "stop_reason")
    public String stopReason;
    @Column(name = "final_status")
    @Enumerated(EnumType.STRING)
    public SessionStatus finalStatus;
    @Column(name = "terminate_attempts")
    public int terminateAttempts;
    @Column(name = "stopped_at")
    public Instant stoppedAt;
    @Column(name = "failure_reason")
    public String failureReason;
    @Column(name = "error_class")
    public String errorClass;
    @Column(name = "retry_count")
    public int retryCount;
    @Column(name = "extended_hours")
    public int extendedHours;
    @Column(name = "last_activity_at")
    public Instant lastActivityAt;
    @Column(name = "gpu_util_pct")
    public Integer gpuUtilPct;
    @Column(name = "idle_warned_at")
    public Instant idleWarnedAt;
    @Column(name = "next_probe_at")
    public Instant nextProbeAt;
    @Column(name = "next_status_at")
    public Instant nextStatusAt;
    @Column(name = "next_check_at")
    public Instant nextCheckAt;
    @Version
    public long version;

    /** Why the attempt an auto-retry just left ended (recorded in session_attempts, not a column). */
    @jakarta.persistence.Transient
    public String lastAttemptFailure;

    /** Why the session was ended, typed; null while nobody ended it. */
    public StopReason stopReason() {
        return StopReason.of(stopReason);
    }
}
