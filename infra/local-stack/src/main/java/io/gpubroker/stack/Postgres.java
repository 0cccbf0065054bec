package io.gpubroker.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stack's PostgreSQL: the server named by {@code PG_URL}
 * ({@code postgresql://user:password@host:port/database}) when set, else a real embedded
 * PostgreSQL (zonky binaries) with {@code wal_level=logical}, data kept in a directory so a restart
 * keeps state. Either way the broker's database is created when missing.
 */
public final class Postgres implements AutoCloseable {
    public static final String DATABASE = "gpubroker";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String database;
    private final EmbeddedPostgres embedded;

    private Postgres(String host, int port, String user, String password, String database, EmbeddedPostgres embedded) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.embedded = embedded;
    }

    /** A server some other process started (the test command's stack). */
    public static Postgres attach(String host, int port, String user, String password, String database) {
        return new Postgres(host, port, user, password, database, null);
    }

    /** Connects to {@code PG_URL}; checks {@code wal_level=logical} (Debezium needs it). */
    public static Postgres external(String pgUrl) {
        URI u = URI.create(pgUrl.startsWith("jdbc:") ? pgUrl.substring(5) : pgUrl);
        String user = "postgres";
        String password = "";
        if (u.getUserInfo() != null) {
            String[] up = u.getUserInfo().split(":", 2);
            user = up[0];
            password = up.length > 1 ? up[1] : "";
        }
        String db = u.getPath() == null || u.getPath().length() <= 1
                ? DATABASE
                : u.getPath().substring(1);
        Postgres pg = new Postgres(u.getHost(), u.getPort() > 0 ? u.getPort() : 5432, user, password, db, null);
        String wal = pg.query("postgres", "show wal_level");
        if (!"logical".equals(wal)) {
            throw new IllegalStateException("PG_URL server has wal_level=" + wal + "; Debezium needs logical "
                    + "(ALTER SYSTEM SET wal_level=logical and restart the server)");
        }
        pg.ensureDatabase();
        return pg;
    }

    /** Starts (or restarts on its existing data) an embedded PostgreSQL on {@code port}. */
    public static Postgres embedded(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
            boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "on")
                    // zonky starts the server with synchronous_commit=off, so a commit's WAL is flushed by the
                    // WAL writer, every wal_writer_delay (200 ms by default); logical decoding only reads flushed
                    // WAL, so that delay came before Debezium saw any outbox row (≈200 ms of the outbox latency,
                    // docs/benchmarks.md). 10 ms keeps asynchronous commits and bounds that wait to 10 ms.
                    .setServerConfig("wal_writer_delay", "10ms")
                    .setPGStartupWait(java.time.Duration.ofSeconds(60))
                    .start();
            Postgres p = new Postgres("127.0.0.1", pg.getPort(), "postgres", "postgres", DATABASE, pg);
            p.ensureDatabase();
            if (fresh) {
                // zonky's default superuser has no password; give it one so URL-based clients work the same everywhere
                p.execute("postgres", "alter user postgres password 'postgres'");
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    private void ensureDatabase() {
        if (query("postgres", "select count(*) from pg_database where datname = '" + database + "'")
                .equals("0")) {
            execute("postgres", "create database " + database);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String database() {
        return database;
    }

    /** The postmaster's PID when this stack runs it (embedded), else null. */
    public Long pid(Path dataDir) {
        try {
            Path f = dataDir.resolve("postmaster.pid");
            return embedded != null && Files.exists(f)
                    ? Long.valueOf(Files.readAllLines(f).get(0).trim())
                    : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The Vert.x reactive client's URL form. */
    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("jdbc_url", jdbcUrl());
        m.put("user", user);
        m.put("embedded", String.valueOf(isEmbedded()));
        return m;
    }

    public String query(String db, String sql) {
        try (Connection c = connect(db);
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL query failed: " + e.getMessage(), e);
        }
    }

    public void execute(String db, String sql) {
        try (Connection c = connect(db);
                var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL statement failed: " + e.getMessage(), e);
        }
    }

    public Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + db, user, password);
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
