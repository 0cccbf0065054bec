package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.kit.lease.JobLease;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** Two replicas' leases against the real database: one runs a job, the other takes over when the first is gone. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class JobLeaseTests {
    @Inject
    Config config;

    private JobLease replica() {
        return new JobLease(
                url(),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class)
                        .orElse(""),
                "provider");
    }

    private String url() {
        return config.getValue("quarkus.datasource.jdbc.url", String.class);
    }

    @Test
    void onlyOneReplicaRunsAJobAndTheOtherTakesOverWhenTheLeaderCloses() {
        String job = "offers-test-" + UUID.randomUUID();
        try (JobLease a = replica();
                JobLease b = replica()) {
            assertThat(a.holds(job)).isTrue();
            assertThat(b.holds(job)).isFalse();
            assertThat(a.holds(job)).as("the leader keeps running it").isTrue();
            assertThat(b.holds(job)).isFalse();
            a.close();
            assertThat(b.holds(job))
                    .as("the other replica takes over at its next run")
                    .isTrue();
            assertThat(a.holds(job))
                    .as("the old leader, back, does not run it twice")
                    .isFalse();
        }
    }

    @Test
    void eachProviderJobHasItsOwnLeaseAndAnotherServicesJobOfTheSameNameIsAnotherLease() {
        String job = "inventory-test-" + UUID.randomUUID();
        try (JobLease a = replica();
                JobLease b = replica();
                JobLease billing = new JobLease(
                        url(), config.getValue("quarkus.datasource.username", String.class), "", "billing")) {
            assertThat(a.holds(job + "-rackrr")).isTrue();
            assertThat(b.holds(job + "-vastai")).isTrue();
            assertThat(a.holds(job + "-vastai")).isFalse();
            assertThat(b.holds(job + "-rackrr")).isFalse();
            assertThat(billing.holds(job + "-rackrr")).isTrue();
        }
    }

    @Test
    void aLeaderWhoseConnectionWasKilledStopsAndTheOtherTakesOver() throws SQLException, InterruptedException {
        String job = "offers-test-" + UUID.randomUUID();
        try (JobLease a = replica();
                JobLease b = replica()) {
            assertThat(a.holds(job)).isTrue();
            assertThat(b.holds(job)).isFalse();
            int killed = terminateBackendOf(job);
            assertThat(killed).isEqualTo(1);
            // the server frees the lock once the killed backend has exited: a takeover within a few runs
            long until = System.nanoTime() + 10_000_000_000L;
            boolean took = b.holds(job);
            while (!took && System.nanoTime() < until) {
                Thread.sleep(100);
                took = b.holds(job);
            }
            assertThat(took).as("the lock ended with the leader's connection").isTrue();
            assertThat(a.holds(job))
                    .as("the leader notices its connection is gone and runs nothing")
                    .isFalse();
        }
    }

    /** What a dead replica looks like to PostgreSQL: its connection ends (pg_terminate_backend of the lock's holder). */
    private int terminateBackendOf(String job) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                        url(),
                        config.getValue("quarkus.datasource.username", String.class),
                        config.getOptionalValue("quarkus.datasource.password", String.class)
                                .orElse(""));
                PreparedStatement s = c.prepareStatement("select count(pg_terminate_backend(pid)) from pg_locks"
                        + " where locktype = 'advisory' and granted and classid = hashtext('provider')::oid"
                        + " and objid = hashtext(?)::oid and objsubid = 2")) {
            s.setString(1, job);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}
