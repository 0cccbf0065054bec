package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.ApiException;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.format.Fmt;
import io.gpubroker.cli.format.Table;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gpu costs}: one session's cost, or a consumer's costs month to date (default) or per day /
 * month, as tables with totals, followed by the consumer's budget standing.
 */
@Command(
        name = "costs",
        mixinStandardHelpOptions = true,
        description = {
            "Costs: month to date by default; --period daily|monthly for rows per day or month; --session for one"
                    + " session. The budget (if one is set) is shown with the totals."
        })
public final class CostsCommand implements Callable<Integer> {
    /** Rows per UTC day or month. */
    public enum Period {
        daily,
        monthly
    }

    @ParentCommand
    GpuCli cli;

    @ArgGroup(exclusive = true)
    Scope scope = new Scope();

    static final class Scope {
        @Option(names = "--session", paramLabel = "SESSION", description = "one session's cost")
        String session;

        @Option(
                names = "--period",
                paramLabel = "daily|monthly",
                description = "rows per ${COMPLETION-CANDIDATES} period")
        Period period;
    }

    @Option(
            names = "--consumer",
            paramLabel = "ID",
            description = "the consumer (admin key; a consumer key sees only itself)")
    String consumer;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "first day (with --period)")
    String from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "last day (with --period)")
    String to;

    @Option(names = "--json", description = "the API's JSON (and the budget, under \"budget\")")
    boolean json;

    @Override
    public Integer call() {
        BrokerApi api = cli.api();
        PrintWriter out = cli.out();
        if (scope.session != null) {
            JsonNode c = api.get("/api/v1/costs" + BrokerApi.query(BrokerApi.params("session_id", scope.session)));
            if (json) {
                out.println(c.toPrettyString());
                return 0;
            }
            out.print(sessionCost(c));
            return 0;
        }
        JsonNode summary = scope.period == null
                ? api.get("/api/v1/costs/summary" + BrokerApi.query(BrokerApi.params("consumer_id", consumer)))
                : api.get("/api/v1/costs"
                        + BrokerApi.query(BrokerApi.params(
                                "consumer_id",
                                consumer,
                                "period",
                                scope.period.name(),
                                "start_date",
                                from,
                                "end_date",
                                to)));
        String who = consumer != null ? consumer : summary.path("consumer_id").asText(null);
        JsonNode budget = who == null || who.isEmpty() ? null : budget(api, who);
        if (json) {
            ObjectNode o = summary.deepCopy();
            o.set("budget", budget);
            out.println(o.toPrettyString());
            return 0;
        }
        out.print(summary(summary, budget, scope.period));
        return 0;
    }

    /** The consumer's budget, or null when none is set or this key may not read it. */
    private static JsonNode budget(BrokerApi api, String consumer) {
        try {
            return api.get("/api/v1/consumers/" + BrokerApi.seg(consumer) + "/budget");
        } catch (ApiException e) {
            if (e.status() == 404 || e.status() == 403) {
                return null;
            }
            throw e;
        }
    }

    static String sessionCost(JsonNode c) {
        String currency = c.path("currency").asText("USD");
        StringBuilder sb = new StringBuilder();
        line(sb, "session", Fmt.text(c.path("session_id")));
        line(sb, "provider", Fmt.text(c.path("provider")) + " " + Fmt.text(c.path("gpu_type")));
        line(sb, "status", Fmt.text(c.path("status")));
        line(sb, "price", Fmt.money(c.path("price_per_hour")) + " " + currency + "/h");
        line(sb, "started", Fmt.text(c.path("started_at")));
        line(sb, "ended", Fmt.text(c.path("ended_at")));
        line(sb, "hours", Fmt.text(c.path("hours_used")));
        line(sb, "total", Fmt.money(c.path("total_cost")) + " " + currency);
        return sb.toString();
    }

    /** Period rows (when asked) with a TOTAL row, then cost by provider and by GPU type, then the budget line. */
    static String summary(JsonNode s, JsonNode budget, Period period) {
        String currency = s.path("currency").asText("USD");
        StringBuilder sb = new StringBuilder();
        String range = s.hasNonNull("month")
                ? "month " + s.path("month").asText() + " to date"
                : (s.hasNonNull("start_date") || s.hasNonNull("end_date"))
                        ? Fmt.text(s.path("start_date")) + " .. " + Fmt.text(s.path("end_date"))
                        : "all time";
        sb.append("costs of ")
                .append(
                        s.path("consumer_id").asText("all consumers").isEmpty()
                                ? "all consumers"
                                : s.path("consumer_id").asText("all consumers"))
                .append(", ")
                .append(range)
                .append(" (")
                .append(currency)
                .append(")\n\n");
        if (period != null) {
            Table t = new Table()
                    .col(period == Period.daily ? "DAY" : "MONTH")
                    .num("SESSIONS")
                    .num("HOURS")
                    .num("COST");
            for (JsonNode p : s.path("periods")) {
                t.row(
                        Fmt.text(p.path("period")),
                        p.path("session_count").asLong(),
                        Fmt.text(p.path("hours_used")),
                        Fmt.money(p.path("total_cost")));
            }
            t.separator();
            t.row(
                    "TOTAL",
                    s.path("session_count").asLong(),
                    Fmt.text(s.path("hours_used")),
                    Fmt.money(s.path("total_cost")));
            sb.append(t.render()).append('\n');
        } else {
            line(sb, "total", Fmt.money(s.path("total_cost")) + " " + currency);
            line(sb, "sessions", String.valueOf(s.path("session_count").asLong()));
            line(sb, "hours", Fmt.text(s.path("hours_used")));
            sb.append('\n');
        }
        breakdown(sb, "PROVIDER", s.path("by_provider"), s.path("total_cost"));
        breakdown(sb, "GPU", s.path("by_gpu_type"), s.path("total_cost"));
        sb.append(budgetLine(budget)).append('\n');
        return sb.toString();
    }

    private static void breakdown(StringBuilder sb, String what, JsonNode map, JsonNode total) {
        if (!map.isObject() || map.isEmpty()) {
            return;
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            entries.add(it.next());
        }
        entries.sort(
                (a, b) -> b.getValue().decimalValue().compareTo(a.getValue().decimalValue()));
        Table t = new Table().col(what).num("COST").num("SHARE");
        BigDecimal sum = total.isNumber() ? total.decimalValue() : BigDecimal.ZERO;
        for (Map.Entry<String, JsonNode> e : entries) {
            t.row(e.getKey(), Fmt.money(e.getValue()), share(e.getValue().decimalValue(), sum));
        }
        t.separator();
        t.row("TOTAL", Fmt.money(total), sum.signum() > 0 ? "100%" : "-");
        sb.append(t.render()).append('\n');
    }

    static String budgetLine(JsonNode b) {
        if (b == null || b.isNull() || !b.has("monthly_limit")) {
            return "budget: none set";
        }
        String currency = b.path("currency").asText("USD");
        String used = b.hasNonNull("used_ratio")
                ? String.format(" (%.0f%%)", b.path("used_ratio").asDouble() * 100)
                : "";
        return "budget: " + Fmt.money(b.path("spent")) + " of " + Fmt.money(b.path("monthly_limit")) + " " + currency
                + " spent in " + Fmt.text(b.path("month")) + used + ", " + Fmt.money(b.path("remaining")) + " left";
    }

    private static String share(BigDecimal part, BigDecimal total) {
        if (total.signum() <= 0) {
            return "-";
        }
        return part.multiply(BigDecimal.valueOf(100)).divide(total, 0, java.math.RoundingMode.HALF_UP) + "%";
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(String.format("%-10s %s%n", name, value));
    }
}
