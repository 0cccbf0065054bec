package io.gpubroker.session.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.time.Instant;

/** The lease: when it began, ends, may at most end, and the activity idle detection watches. */
@Embeddable
public class Lease {
    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "hard_max_at")
    public Instant hardMaxAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "stopped_at")
    public Instant stoppedAt;

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
}
