package io.gpubroker.bench;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.stack.Postgres;

/**
 * Outbox commit → consumer effect committed, through the real path: a row in session.outbox
 * (exactly what SessionService writes), Debezium in Kafka Connect, Kafka, billing-service's
 * idempotent consumer writing billing.session_accounts. Latency = the effect row's
 * clock_timestamp() − the outbox row's clock_timestamp(), both read from the one PostgreSQL
 * server, so no clock skew. Runs a steady phase (N events at R/s) and a burst (N at once).
 * Usage: OutboxLatencyBench [events=1000] [rate=50]; needs ./broker up.
 */
public final class OutboxLatencyBench {

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Postgres pg = attach();
        try (Connection c = pg.connect(pg.database())) {
            c.setAutoCommit(true);
            warmUp(c);
            System.out.printf("machine: %d cores, %s, java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
            report("steady " + rate + "/s", run(c, events, rate));
            report("burst", run(c, events, 0));
        }
    }

    static Postgres attach() throws Exception {
        Path state = Path.of(System.getProperty("broker.root", ".")).resolve(".broker/local/state.json");
        @SuppressWarnings("unchecked")
        Map<String, Object> s = new ObjectMapper().readValue(state.toFile(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, String> p = (Map<String, String>) s.get("postgres");
        java.net.URI u = java.net.URI.create(p.get("jdbc_url").substring(5));
        return Postgres.attach(u.getHost(), u.getPort(), p.get("user"), "postgres", u.getPath().substring(1));
    }

    record Result(double[] latenciesMs, double seconds, int events) {
    }

    static void warmUp(Connection c) throws Exception {
        run(c, 50, 100);
    }

    static Result run(Connection c, int events, int ratePerSecond) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>(events);
        long start = System.nanoTime();
        try (PreparedStatement ins = c.prepareStatement("""
                insert into session.outbox (id, aggregatetype, aggregateid, type, version, topic, payload)
                values (?::uuid, 'session', ?, 'SessionRequested', 1, 'session.events', ?::jsonb)""")) {
            for (int i = 0; i < events; i++) {
                String sid = "sess-bench-" + run + "-" + i;
                ids.add(sid);
                SessionRequested e = new SessionRequested(sid, "bench", "vastai-bench", "vastai", "RTX 4090", 1,
                        new BigDecimal("0.45"), "USD", 1, "batch", Instant.now());
                ins.setString(1, UUID.randomUUID().toString());
                ins.setString(2, sid);
                ins.setString(3, EventCatalog.toJson(e));
                ins.executeUpdate();
                if (ratePerSecond > 0) {
                    long due = start + (long) ((i + 1) * 1e9 / ratePerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        }
        String like = "sess-bench-" + run + "-%";
        long deadline = System.currentTimeMillis() + 120_000;
        int done = 0;
        while (System.currentTimeMillis() < deadline) {
            try (PreparedStatement q = c.prepareStatement("select count(*) from billing.session_accounts where session_id like ?")) {
                q.setString(1, like);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    done = rs.getInt(1);
                }
            }
            if (done >= events) {
                break;
            }
            Thread.sleep(50);
        }
        if (done < events) {
            throw new IllegalStateException("only " + done + " of " + events + " effects after 120 s");
        }
        try (PreparedStatement q = c.prepareStatement("""
                select extract(epoch from (a.recorded_at - o.created_at)) * 1000,
                       extract(epoch from (max(a.recorded_at) over () - min(o.created_at) over ()))
                from billing.session_accounts a join session.outbox o on o.aggregateid = a.session_id
                where a.session_id like ?""")) {
            q.setString(1, like);
            double[] lat = new double[events];
            double seconds = 0;
            int i = 0;
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next() && i < events) {
                    lat[i++] = rs.getDouble(1);
                    seconds = rs.getDouble(2);
                }
            }
            return new Result(Arrays.copyOf(lat, i), seconds, i);
        }
    }

    static void report(String name, Result r) {
        double[] l = r.latenciesMs().clone();
        Arrays.sort(l);
        System.out.printf("%-14s events %5d  p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms  sustained %7.0f events/s%n",
                name, r.events(), pct(l, 50), pct(l, 90), pct(l, 99), l[l.length - 1], r.events() / Math.max(r.seconds(), 1e-3));
    }

    static double pct(double[] sorted, double p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
