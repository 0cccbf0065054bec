package io.gpubroker.sim.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every simulated instance has, whatever the provider: an id, the ownership tag, a native
 * state, a price, the cost it really accrued (price x time billed), its SSH host and its apps
 * (simulated model servers). Providers extend it with their native fields. Mutated only on the
 * simulator's event loop ({@link #fault} and {@link #destroyed} are also read by SSH threads).
 */
public class SimInstance {
    public final String id;
    public String tag;
    public String state;
    public final BigDecimal pricePerHour;
    public final Instant createdAt;
    public final GpuSpec offeredGpu;
    public SshHost ssh;
    /** Its model servers and published ports; created on first use by {@link ProviderSim#apps}. */
    public Apps apps;
    /** The instance fault it was created with (from {@link Faults#nextInstanceFault()}), or null. */
    public volatile String fault;

    public volatile boolean destroyed;

    private BigDecimal accrued = BigDecimal.ZERO;
    private BigDecimal billingRate = BigDecimal.ZERO;
    private Instant billingSince;
    private Instant billingStoppedAt;

    public SimInstance(
            String id, String tag, String state, BigDecimal pricePerHour, Instant createdAt, GpuSpec offeredGpu) {
        this.id = id;
        this.tag = tag;
        this.state = state;
        this.pricePerHour = pricePerHour;
        this.createdAt = createdAt;
        this.offeredGpu = offeredGpu;
    }

    /** Starts (or changes) billing at {@code fraction} of the price from {@code now}. */
    public void bill(Instant now, double fraction) {
        settle(now);
        billingRate = pricePerHour.multiply(BigDecimal.valueOf(fraction));
        billingSince = now;
    }

    public void stopBilling(Instant now) {
        settle(now);
        if (billingSince != null) {
            billingStoppedAt = now;
        }
        billingRate = BigDecimal.ZERO;
        billingSince = null;
    }

    public boolean billing() {
        return billingSince != null && billingRate.signum() > 0;
    }

    /** Cost accrued up to {@code now}, in USD with 6 decimals. */
    public BigDecimal accrued(Instant now) {
        BigDecimal total = accrued;
        if (billingSince != null) {
            total = total.add(costBetween(billingSince, now, billingRate));
        }
        return total.setScale(6, RoundingMode.HALF_UP);
    }

    private void settle(Instant now) {
        if (billingSince != null) {
            accrued = accrued.add(costBetween(billingSince, now, billingRate));
            billingSince = now;
        }
    }

    private static BigDecimal costBetween(Instant from, Instant to, BigDecimal ratePerHour) {
        long millis = Math.max(0, Duration.between(from, to).toMillis());
        return ratePerHour
                .multiply(BigDecimal.valueOf(millis))
                .divide(BigDecimal.valueOf(3_600_000L), 9, RoundingMode.HALF_UP);
    }

    /** The control API's view ({@code GET /_sim/instances}); providers may add fields. */
    public Map<String, Object> controlView(Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("tag", tag);
        m.put("state", state);
        m.put("destroyed", destroyed);
        m.put("price_per_hour", pricePerHour);
        m.put("accrued_cost", accrued(now));
        m.put("billing", billing());
        // when it last stopped billing (null: never billed, or billing now): leak checks bound it by the session's end
        m.put("billing_stopped_at", billing() || billingStoppedAt == null ? null : billingStoppedAt.toString());
        m.put("created_at", createdAt.toString());
        m.put("gpu", offeredGpu.name());
        m.put("gpu_count", offeredGpu.count());
        m.put("fault", fault);
        if (ssh != null) {
            m.put("ssh_port", ssh.port());
            m.put("ssh_user", ssh.user());
            m.put("ssh_listening", ssh.listening());
            m.put("ssh_keys", ssh.authorizedKeyCount());
            m.put("ssh_host_key", ssh.hostKeyFingerprint());
            m.put("ssh_password_logins", ssh.passwordAttempts());
        }
        m.put("apps", apps == null ? List.of() : apps.view());
        Map<String, Integer> ports = new LinkedHashMap<>();
        if (apps != null) {
            apps.published().forEach((vm, ext) -> ports.put(String.valueOf(vm), ext));
        }
        m.put("app_ports", ports);
        return m;
    }
}
