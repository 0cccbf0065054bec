package io.gpubroker.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionService;
import io.gpubroker.session.service.SessionSteps;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** done and DELETE say what really happened: an ended session is not ended twice, and destroying is not destroyed. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SessionEndingTests {
    @Inject
    SessionService sessions;

    @Inject
    SessionSteps steps;

    @Inject
    ProvisionSessionSaga saga;

    static <T> T await(Supplier<io.smallrye.mutiny.Uni<T>> u) {
        try {
            return VertxContextSupport.subscribeAndAwait(u);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    Session created() {
        Offer o = SessionOutboxTests.offer();
        return await(() -> sessions.create(
                        SessionOutboxTests.request(
                                        "team-end-"
                                                + UUID.randomUUID().toString().substring(0, 6),
                                        o.id())
                                .toNewSession(),
                        o,
                        null))
                .session();
    }

    @Test
    void doneOnAnEndedSessionIs409AndDeleteSaysItHadEnded() {
        Session s = created();
        String command = s.saga.provisionCommandId;
        await(() -> steps.apply(
                s.id,
                (x, now) -> saga.onProvisionFailed(
                        x,
                        new ProvisionFailed(
                                command,
                                s.id,
                                "vastai",
                                s.offer.offerId,
                                null,
                                "invalid_request",
                                "bad ask",
                                false,
                                now),
                        now)));
        given().when()
                .post("/sessions/" + s.id + "/done")
                .then()
                .statusCode(409)
                .body("error", containsString("already ended (failed)"));
        given().when()
                .delete("/sessions/" + s.id)
                .then()
                .statusCode(200)
                .body("status", equalTo("failed"))
                .body("message", containsString("already ended"));
    }

    @Test
    void deleteWhileTheInstanceIsBeingDestroyedSaysSoNotDestroyed() {
        Session s = created();
        given().when()
                .delete("/sessions/" + s.id)
                .then()
                .statusCode(200)
                .body("status", equalTo("stopping"))
                .body("message", containsString("destroy requested"))
                .body("message", containsString("once the provider confirms"));
        given().when()
                .post("/sessions/" + s.id + "/done")
                .then()
                .statusCode(200)
                .body("status", equalTo("stopping"))
                .body("message", containsString("is being destroyed"));
    }
}
