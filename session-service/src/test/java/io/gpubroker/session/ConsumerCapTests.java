package io.gpubroker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.service.SessionService;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The per-consumer cap and the Idempotency-Key hold where the state is (issue #14): concurrent
 * creates — as they arrive from several api-gateway and session-service replicas — are serialised
 * per consumer in the database, so no race lets a sixth session or a second session for one key in.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class ConsumerCapTests {
    static final int CAP = 5;

    @Inject
    SessionService sessions;

    /** Each create's outcome: the Created, or the ApiException it failed with. */
    List<Object> concurrently(int n, String consumer, String idempotencyKey) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Object>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Offer o = SessionOutboxTests.offer();
                Callable<Object> create = () -> {
                    try {
                        return VertxContextSupport.subscribeAndAwait(() -> sessions.create(
                                SessionOutboxTests.request(consumer, o.id()).toNewSession(), o, idempotencyKey));
                    } catch (ApiException e) {
                        return e;
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                };
                all.add(pool.submit(create));
            }
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : all) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eightCreatesAtOnceGiveExactlyTheCapAndTheRestAClear409() throws Exception {
        List<Object> outcomes =
                concurrently(8, "cap-" + UUID.randomUUID().toString().substring(0, 8), null);
        List<SessionService.Created> created = outcomes.stream()
                .filter(SessionService.Created.class::isInstance)
                .map(SessionService.Created.class::cast)
                .toList();
        List<ApiException> refused = outcomes.stream()
                .filter(ApiException.class::isInstance)
                .map(ApiException.class::cast)
                .toList();
        assertThat(created)
                .hasSize(CAP)
                .noneMatch(SessionService.Created::replay)
                .allMatch(c -> c.privateKey() != null);
        assertThat(refused).hasSize(8 - CAP).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.getMessage()).contains("already has 5 active sessions (limit 5)");
            assertThat(e.extra()).containsEntry("error_type", "session_limit");
        });
    }

    @Test
    void aSessionThatEndedNoLongerCountsAgainstTheCap() throws Throwable {
        String consumer = "cap-end-" + UUID.randomUUID().toString().substring(0, 8);
        List<Object> first = concurrently(CAP, consumer, null);
        assertThat(first).allMatch(SessionService.Created.class::isInstance);
        assertThat(concurrently(1, consumer, null).get(0)).isInstanceOf(ApiException.class);
        String ended = ((SessionService.Created) first.get(0)).session().id;
        VertxContextSupport.subscribeAndAwait(() -> sessions.end(ended, StopReason.done));
        assertThat(concurrently(1, consumer, null).get(0))
                .as("a stopping, stopped or failed session does not count")
                .isInstanceOf(SessionService.Created.class);
    }

    @Test
    void concurrentCreatesWithOneIdempotencyKeyMakeOneSessionAndReplayIt() throws Exception {
        List<Object> outcomes =
                concurrently(4, "idem-" + UUID.randomUUID().toString().substring(0, 8), "key-" + UUID.randomUUID());
        assertThat(outcomes).allMatch(SessionService.Created.class::isInstance);
        List<SessionService.Created> all =
                outcomes.stream().map(SessionService.Created.class::cast).toList();
        assertThat(all.stream().filter(c -> !c.replay()).toList()).hasSize(1).allMatch(c -> c.privateKey() != null);
        assertThat(all.stream().filter(SessionService.Created::replay).toList())
                .hasSize(3)
                .allMatch(c -> c.privateKey() == null);
        assertThat(all.stream().map(c -> c.session().id).distinct()).hasSize(1);
    }
}
