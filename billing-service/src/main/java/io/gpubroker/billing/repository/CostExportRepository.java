package io.gpubroker.billing.repository;

import io.gpubroker.billing.domain.CostExport;
import io.gpubroker.billing.domain.CostFilter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The lines of a cost export (in the caller's session), read from the two ledgers themselves: per
 * session its session steps, per instance and flag its instance steps, in the filter's UTC days —
 * the same steps {@code billing.daily_costs} sums, so the total equals the summary's.
 */
@ApplicationScoped
public class CostExportRepository {

    public Uni<CostExport> export(Mutiny.Session db, CostFilter f) {
        StringBuilder where = new StringBuilder(" where true");
        List<Object> params = new ArrayList<>();
        if (f.consumerId() != null) {
            params.add(f.consumerId());
            where.append(" and consumer_id = ?").append(params.size());
        }
        if (f.startDate() != null) {
            params.add(f.startDate());
            where.append(" and minute >= (cast(?")
                    .append(params.size())
                    .append(" as date)::timestamp at time zone 'UTC')");
        }
        if (f.endDate() != null) {
            params.add(f.endDate());
            where.append(" and minute < ((cast(?")
                    .append(params.size())
                    .append(" as date) + 1)::timestamp at time zone 'UTC')");
        }
        String sql = "select 'session', l.consumer_id, l.session_id, max(b.instance_id), l.provider,"
                + " coalesce(l.gpu_type, 'unknown'), null, min(l.minute), max(l.minute), sum(l.seconds), sum(l.amount), l.currency"
                + " from (select * from billing.ledger_entries" + where + ") l"
                + " left join billing.billed_sessions b on b.session_id = l.session_id"
                + " group by l.consumer_id, l.session_id, l.provider, coalesce(l.gpu_type, 'unknown'), l.currency"
                + " union all"
                + " select 'instance', consumer_id, session_id, instance_id, provider, coalesce(gpu_type, 'unknown'), flag,"
                + " min(minute), max(minute), sum(seconds), sum(amount), currency"
                + " from billing.instance_ledger_entries" + where
                + " group by consumer_id, session_id, instance_id, provider, coalesce(gpu_type, 'unknown'), flag, currency"
                + " order by 2, 3, 1 desc, 4, 7";
        var q = db.createNativeQuery(sql);
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q.getResultList().map(rows -> {
            List<CostExport.Line> lines = new ArrayList<>(rows.size());
            BigDecimal total = BigDecimal.ZERO;
            BigDecimal seconds = BigDecimal.ZERO;
            String currency = null;
            for (Object row : rows) {
                Object[] r = (Object[]) row;
                CostExport.Line l = new CostExport.Line(
                        Sql.text(r[0]),
                        Sql.text(r[1]),
                        Sql.text(r[2]),
                        Sql.text(r[3]),
                        Sql.text(r[4]),
                        Sql.text(r[5]),
                        Sql.text(r[6]),
                        Sql.instant(r[7]),
                        Sql.instant(r[8]),
                        Sql.money(r[9]),
                        Sql.money(r[10]),
                        Sql.text(r[11]));
                lines.add(l);
                total = total.add(l.amount());
                seconds = seconds.add(l.seconds());
                currency = currency == null ? l.currency() : currency;
            }
            return new CostExport(lines, total, seconds, currency == null ? "USD" : currency);
        });
    }
}
