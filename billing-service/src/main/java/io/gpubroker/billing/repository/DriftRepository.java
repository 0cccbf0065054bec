package io.gpubroker.billing.repository;

import static io.gpubroker.billing.domain.Money.money;

import io.gpubroker.billing.domain.ProviderDrift;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/** The provider drift measurements ({@code billing.provider_drift}), in the caller's session. */
@ApplicationScoped
public class DriftRepository {

    public Uni<Integer> record(Mutiny.Session db, ProviderDrift d, String currency, boolean alerted) {
        return db.createNativeQuery("""
                        insert into billing.provider_drift (provider, measured_at, instances, unmatched, broker_cost,
                            provider_cost, drift_ratio, currency, status, detail, skipped, alerted)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)""")
                .setParameter(1, d.provider())
                .setParameter(2, Sql.ts(d.measuredAt()))
                .setParameter(3, d.instances())
                .setParameter(4, d.unmatched())
                .setParameter(5, d.brokerCost())
                .setParameter(6, d.providerCost())
                .setParameter(7, d.driftRatio())
                .setParameter(8, currency)
                .setParameter(9, d.status())
                .setParameter(10, d.detail())
                .setParameter(11, d.skipped())
                .setParameter(12, alerted)
                .executeUpdate();
    }

    /** Per provider and UTC day (newest first, at most {@code 93} days), the day's last real ({@code ok}) measurement. */
    public Uni<List<ProviderDrift.Day>> daily(Mutiny.Session db) {
        return db.createNativeQuery("""
                        select provider, day, broker_cost, provider_cost, instances, alerted, measured_at from (
                            select distinct on (provider, (measured_at at time zone 'UTC')::date) provider,
                                   to_char(measured_at at time zone 'UTC', 'YYYY-MM-DD') as day, broker_cost, provider_cost,
                                   instances, alerted, measured_at
                            from billing.provider_drift where status = 'ok'
                            order by provider, (measured_at at time zone 'UTC')::date, measured_at desc, id desc) d
                        order by day desc, provider limit 93 * 8""").getResultList().map(rows -> {
            List<ProviderDrift.Day> out = new ArrayList<>();
            for (Object row : rows) {
                Object[] r = (Object[]) row;
                BigDecimal broker = Sql.money(r[2]);
                BigDecimal provider = Sql.money(r[3]);
                BigDecimal drift = broker.subtract(provider);
                out.add(new ProviderDrift.Day(
                        Sql.text(r[0]),
                        Sql.text(r[1]),
                        money(broker),
                        money(provider),
                        money(drift),
                        provider.signum() == 0
                                ? null
                                : drift.multiply(BigDecimal.valueOf(100))
                                        .divide(provider, 4, RoundingMode.HALF_UP)
                                        .stripTrailingZeros(),
                        (int) Sql.count(r[4]),
                        Boolean.TRUE.equals(r[5]),
                        Sql.instant(r[6])));
            }
            return out;
        });
    }

    /** The latest measurement per provider. */
    public Uni<List<ProviderDrift>> latest(Mutiny.Session db) {
        return db.createNativeQuery("""
                        select distinct on (provider) provider, status, drift_ratio, broker_cost, provider_cost, instances,
                               unmatched, measured_at, detail, skipped
                        from billing.provider_drift order by provider, measured_at desc, id desc""").getResultList().map(rows -> {
            List<ProviderDrift> out = new ArrayList<>();
            for (Object row : rows) {
                Object[] r = (Object[]) row;
                out.add(new ProviderDrift(
                        Sql.text(r[0]),
                        Sql.text(r[1]),
                        Sql.decimalOrNull(r[2]) == null
                                ? null
                                : Sql.decimalOrNull(r[2]).stripTrailingZeros(),
                        money(Sql.money(r[3])),
                        money(Sql.money(r[4])),
                        (int) Sql.count(r[5]),
                        (int) Sql.count(r[6]),
                        (int) Sql.count(r[9]),
                        Sql.instant(r[7]),
                        Sql.text(r[8])));
            }
            return out;
        });
    }
}
