package io.gpubroker.kit.probe;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** The test service's one entity: Hibernate Reactive (and its session factory) only starts with one. */
@Entity
@Table(name = "outbox")
public class OutboxRow {
    @Id
    public UUID id;

    public String aggregateid;
}
