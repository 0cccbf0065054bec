package io.gpubroker.session.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/**
 * A session: the user's lease on one provider instance, and the provisioning saga's state. One row
 * of {@code sessions}; its columns are grouped into embedded parts by what they describe.
 */
@Entity
@Table(name = "sessions")
public class Session extends PanacheEntityBase {
    @Id
    public String id;

    @Column(name = "consumer_id")
    public String consumerId;

    @Enumerated(EnumType.STRING)
    public SessionStatus status;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    public long version;

    @Embedded
    public OfferSnapshot offer = new OfferSnapshot();

    @Embedded
    public Terms terms = new Terms();

    @Embedded
    public Host host = new Host();

    @Embedded
    public Keys keys = new Keys();

    @Embedded
    public Lease lease = new Lease();

    @Embedded
    public SagaState saga = new SagaState();
}
