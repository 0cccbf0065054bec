package io.gpubroker.session.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

/** What the user asked for in the create request (with defaults applied). */
@Embeddable
public class Terms {
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

    @Column(name = "quantization")
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

    /** What the session asked for instead of an offer (null: it named an offer); every failover searches with it. */
    @Column(name = "requirements", columnDefinition = "jsonb")
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    public Requirements requirements;
}
