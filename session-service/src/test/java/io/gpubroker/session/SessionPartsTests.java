package io.gpubroker.session;

import static io.gpubroker.session.UnwantedInstanceTests.await;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.RetryScope;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StoragePolicy;
import io.gpubroker.session.rest.CreateSessionRequest;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionService;
import io.gpubroker.session.service.SessionSteps;
import io.gpubroker.session.ssh.SessionKeys;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.Test;

/**
 * The session row through its embedded parts: what a step changes in a part is stored in the same
 * columns as before, and the typed values (launch mode, retry scope, storage policy) are the old strings.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SessionPartsTests {

    @Inject
    SessionService sessions;

    @Inject
    SessionSteps steps;

    @Inject
    ProvisionSessionSaga saga;

    @Inject
    Mutiny.SessionFactory db;

    @Test
    void aStepsChangesInsideThePartsReachTheirColumnsAndTheEnumsAreStoredAsTheOldStrings() {
        Offer o = new Offer(
                "vastai-" + UUID.randomUUID(),
                "vastai",
                "1",
                "RTX 4090",
                1,
                24,
                new BigDecimal("0.45"),
                "US-West",
                true,
                false,
                Instant.now(),
                new BigDecimal("12.4"),
                "m-1",
                Map.of("ask_id", "1"),
                false);
        Session created = await(() -> sessions.create(
                        new CreateSessionRequest(
                                        "team-parts",
                                        o.id(),
                                        null,
                                        "batch",
                                        1,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        true,
                                        null,
                                        "same_vram")
                                .toNewSession(),
                        o,
                        null))
                .session();
        String id = created.id;
        String command = created.saga.provisionCommandId;
        await(() -> steps.apply(
                id,
                (s, now) -> saga.onProvisionFailed(
                        s,
                        new ProvisionFailed(
                                command, id, "vastai", o.id(), null, "invalid_request", "bad ask", false, now),
                        now)));

        Session after = await(() -> sessions.find(id));
        assertThat(after.status).isEqualTo(SessionStatus.failed);
        assertThat(after.saga.errorClass).isEqualTo("invalid_request");
        assertThat(after.saga.failureReason).isEqualTo("provisioning failed: bad ask");
        assertThat(after.lease.stoppedAt).isNotNull();
        assertThat(after.keys.verifySalt)
                .as("an ended session's salt is retired")
                .isEqualTo(SessionKeys.RETIRED);
        assertThat(after.offer.provider).isEqualTo("vastai");
        assertThat(after.terms.launchMode).isEqualTo(LaunchMode.ssh);
        assertThat(after.terms.retryScope).isEqualTo(RetryScope.same_vram);
        assertThat(after.terms.storagePolicy).isEqualTo(StoragePolicy.destroy);
        assertThat(after.terms.maxRetries)
                .as("failover is on by default: session.failover.default-retries")
                .isEqualTo(3);

        List<Object[]> rows = await(() -> db.withSession(s -> s.createNativeQuery(
                        "select launch_mode, retry_scope, storage_policy, error_class, verify_salt, provider from session.sessions where id = ?1",
                        Object[].class)
                .setParameter(1, id)
                .getResultList()));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0))
                .containsExactly("ssh", "same_vram", "destroy", "invalid_request", SessionKeys.RETIRED, "vastai");
    }

    @Test
    void aSessionReadBackCarriesItsFieldsAndAttemptsAsBefore() {
        Offer o = new Offer(
                "vastai-" + UUID.randomUUID(),
                "vastai",
                "1",
                "RTX 4090",
                1,
                24,
                new BigDecimal("0.45"),
                "US-West",
                true,
                false,
                Instant.now(),
                new BigDecimal("12.4"),
                "m-1",
                Map.of("ask_id", "1"),
                false);
        Session created = await(() -> sessions.create(
                        new CreateSessionRequest(
                                        "team-parts-get",
                                        o.id(),
                                        null,
                                        "llm",
                                        2,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null)
                                .toNewSession(),
                        o,
                        null))
                .session();
        given().when()
                .get("/sessions/" + created.id)
                .then()
                .statusCode(200)
                .body("id", equalTo(created.id))
                .body("status", equalTo("pending"))
                .body("launch_mode", equalTo("ssh"))
                .body("disk_gb", equalTo(50))
                .body("$", not(hasKey("ssh_host")))
                .body("attempts[0].attempt", equalTo(0))
                .body("attempts[0].outcome", equalTo("requested"))
                .body("attempts[0].offer_id", equalTo(o.id()))
                .body("attempts[0]", hasKey("detail"))
                .body("attempts[0].detail", nullValue());
    }
}
