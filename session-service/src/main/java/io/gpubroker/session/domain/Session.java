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
    public String storagePolicy;
    @Column(name = "launch_mode")
    public String launchMode;
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
    public String retryScope;
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
    @Version
    public long version;
}
