package io.gpubroker.sim.trooper;

import io.gpubroker.sim.core.SimInstance;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Trooper order (rented server). {@link SimInstance#state} is the current {@code status};
 * {@link #statusUser} is the desired one (GUESSED meaning, see spec §3.3).
 */
final class Order extends SimInstance {

    /** One installed software template on the server. */
    static final class Install {
        final int id;
        final int templateId;
        final String templateName;
        final Map<String, Object> config;
        int status;

        Install(int id, int templateId, String templateName, Map<String, Object> config) {
            this.id = id;
            this.templateId = templateId;
            this.templateName = templateName;
            this.config = config;
        }

        String readable() {
            // 1 = Completed is documented; 0 and 2 are GUESSED.
            return switch (status) {
                case 1 -> "Completed";
                case 2 -> "Failed";
                default -> "Pending";
            };
        }
    }

    final int orderId;
    final int serverId;
    final Blib blib;
    final String contractInterval;
    final String host;
    final List<TrooperJson.HistoryEntry> history = new ArrayList<>();
    final List<Install> installs = new ArrayList<>();
    String statusUser;
    String password;
    Integer sshPort;
    boolean locked;
    boolean holdsCapacity;
    boolean deathScheduled;
    /** Bumped by every status change so timers of an earlier transition do nothing. */
    int generation;

    private int historySeq;

    Order(
            int orderId,
            int serverId,
            Blib blib,
            String contractInterval,
            String status,
            BigDecimal price,
            Instant now,
            String password) {
        super(String.valueOf(orderId), null, status, price, now, blib.gpuSpec());
        this.orderId = orderId;
        this.serverId = serverId;
        this.blib = blib;
        this.contractInterval = contractInterval;
        this.password = password;
        this.statusUser = "running";
        this.host = blib.hosts.get(orderId % blib.hosts.size());
    }

    void record(String desired, String text, Instant at) {
        statusUser = desired;
        history.add(0, new TrooperJson.HistoryEntry(++historySeq, desired, text, TrooperSim.iso(at)));
        if (history.size() > 5) {
            history.remove(history.size() - 1);
        }
    }

    /** End of the prepaid period: whole contract intervals from the order until now (or destruction). */
    Instant paidUntil(Instant now) {
        Duration interval = Duration.ofHours(TrooperSettings.hours(contractInterval));
        long elapsed = Math.max(0, Duration.between(createdAt, now).toMillis());
        long periods = Math.max(1, (elapsed + interval.toMillis() - 1) / interval.toMillis());
        return createdAt.plus(interval.multipliedBy(periods));
    }

    TrooperJson.OrderView view(String ip, Instant now) {
        List<TrooperJson.InstallView> iv = new ArrayList<>();
        for (Install i : installs) {
            iv.add(new TrooperJson.InstallView(i.id, i.templateName, i.status, i.readable()));
        }
        return new TrooperJson.OrderView(
                orderId,
                serverId,
                tag,
                state,
                statusUser,
                "gpu-server-" + orderId,
                host + "_trooperai_" + String.format("%06d", orderId),
                ip,
                sshPort,
                pricePerHour,
                TrooperSim.iso(paidUntil(now)),
                contractInterval,
                locked,
                false,
                blib.name,
                blib.gpuType(),
                blib.gpuNum(),
                blib.countryCode,
                iv);
    }

    @Override
    public Map<String, Object> controlView(Instant now) {
        Map<String, Object> m = super.controlView(now);
        m.put("order_id", orderId);
        m.put("serverId", serverId);
        m.put("status_user", statusUser);
        m.put("blib_id", blib.id);
        m.put("password", password);
        m.put("is_locked", locked);
        return m;
    }
}
