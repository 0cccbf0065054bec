package io.gpubroker.session.domain;

import io.gpubroker.session.client.Offer;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.math.BigDecimal;

/** The offer the session is on, as it was when chosen (or when auto-retry moved the session): the truth the host is checked against. */
@Embeddable
public class OfferSnapshot {
    @Column(name = "offer_id")
    public String offerId;

    @Column(name = "provider")
    public String provider;

    @Column(name = "gpu_type")
    public String gpuType;

    @Column(name = "gpu_count")
    public int gpuCount;

    @Column(name = "vram_gb")
    public Integer vramGb;

    @Column(name = "price_per_hour")
    public BigDecimal pricePerHour;

    @Column(name = "currency")
    public String currency;

    @Column(name = "offer_provisioning", columnDefinition = "jsonb")
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    public java.util.Map<String, String> offerProvisioning;

    @Column(name = "machine_id")
    public String machineId;

    @Column(name = "offer_cuda")
    public BigDecimal offerCuda;

    /** Takes {@code o}'s terms (all but the currency): at creation, and when auto-retry moves the session. */
    public void takeFrom(Offer o) {
        offerId = o.id();
        provider = o.provider();
        gpuType = o.gpuType();
        gpuCount = o.gpuCount();
        vramGb = o.vramGb();
        pricePerHour = o.pricePerHour();
        offerProvisioning = o.provisioning();
        machineId = o.machineId();
        offerCuda = o.cudaVersion();
    }
}
