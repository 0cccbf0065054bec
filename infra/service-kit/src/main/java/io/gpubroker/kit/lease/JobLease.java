package io.gpubroker.kit.lease;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Which replica runs a singleton job: the one holding the job's PostgreSQL advisory lock
 * ({@code pg_try_advisory_lock(hashtext(<owner>), hashtext(<job>))}) on this object's own connection,
 * held for as long as that connection lives. A replica that dies takes its connection and so its locks
 * with it; the server's TCP keepalives (set on the connection) end a connection whose replica vanished
 * without closing it. Before each run {@link #holds} checks the connection with a round trip: a
 * replica whose connection broke has lost its locks and runs nothing until it takes them again.
 * See ADR 0013.
 */
@Singleton
public class JobLease implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobLease.class);
    /** Seconds for the connection check before each run. */
    private static final int CHECK_SECONDS = 5;

    private final String url;
    private final String user;
    private final String password;
    private final String owner;
    private final Set<String> held = new HashSet<>();
    private Connection connection;

    /** This service's lease: its own connection to the service's database, the lock space named by its schema. */
    @Inject
    public JobLease(Config config) {
        this(
                config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class)
                        .orElse(""),
                config.getValue("broker.db.schema", String.class));
    }

    /** {@code owner} names the lock space (the service's schema): another service's job of the same name is another lock. */
    public JobLease(String url, String user, String password, String owner) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.owner = owner;
    }

    /** True when this replica holds {@code job}'s lease (taking it if free); false when another replica holds it or the database is unreachable. */
    public synchronized boolean holds(String job) {
        try {
            if (!connected()) {
                return false;
            }
            if (held.contains(job)) {
                return true;
            }
            try (PreparedStatement s =
                    connection.prepareStatement("select pg_try_advisory_lock(hashtext(?), hashtext(?))")) {
                s.setString(1, owner);
                s.setString(2, job);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getBoolean(1)) {
                        held.add(job);
                        LOG.infof("this replica now runs %s/%s", owner, job);
                        return true;
                    }
                    return false;
                }
            }
        } catch (SQLException e) {
            LOG.warnf("lease of %s/%s unknown, not running it: %s", owner, job, e.getMessage());
            drop();
            return false;
        }
    }

    /** A live connection (its locks held), or a fresh one holding none; false when none can be had. */
    private boolean connected() throws SQLException {
        if (connection != null && connection.isValid(CHECK_SECONDS)) {
            return true;
        }
        drop();
        connection = DriverManager.getConnection(url, user, password);
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            // the server notices a replica that vanished without closing its socket within about 30 s
            s.execute("set tcp_keepalives_idle = 10; set tcp_keepalives_interval = 5; set tcp_keepalives_count = 4;"
                    + " set idle_session_timeout = 0; set application_name = 'job-lease " + owner.replace("'", "")
                    + "'");
        }
        return true;
    }

    /** Forgets the connection: its locks went with it, or go now. */
    private void drop() {
        if (!held.isEmpty()) {
            LOG.warnf("this replica lost the leases of %s/%s; another replica takes them over", owner, held);
            held.clear();
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    /** Releases every lease before closing (a closed socket frees them only once the server's backend has exited), so another replica takes over on its next run. */
    @PreDestroy
    @Override
    public synchronized void close() {
        if (connection != null && !held.isEmpty()) {
            try (Statement s = connection.createStatement()) {
                s.execute("select pg_advisory_unlock_all()");
            } catch (SQLException ignored) {
                // a broken connection holds nothing any more
            }
        }
        held.clear();
        drop();
    }
}
