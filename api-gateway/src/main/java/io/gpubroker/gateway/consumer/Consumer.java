package io.gpubroker.gateway.consumer;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A team or application using the broker; its sessions and costs are its own. */
@Entity
@Table(name = "consumers")
public class Consumer extends PanacheEntityBase {
    @Id
    public String id;

    public String name;

    @Column(name = "created_at")
    public Instant createdAt;
}
