package io.gpubroker.session.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.session.domain.ConsumerPolicy;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy's arithmetic: a moving session's own share is left out, extensions count toward max_reservation_hours. */
class PolicyCheckTests {

    static final ConsumerPolicy P =
            new ConsumerPolicy("team", 2, 4, new BigDecimal("3.00"), List.of("vastai"), null, 6, null, null);

    @Test
    void aFailoverMayMoveToAnOfferThatFitsOnceItsOwnShareIsLeftOut() {
        // two sessions in flight (the limit): the moving one is left out of the usage, so max_sessions is not hit
        PolicyCheck.Usage others = new PolicyCheck.Usage(1, 2, new BigDecimal("1.50"));
        assertThat(PolicyCheck.refusal(
                        P, others, OfferRankingTests.offer("a", "vastai", 2, "1.50", 0.9, "US"), 2, false))
                .isNull();
        assertThat(PolicyCheck.refusal(
                                P, others, OfferRankingTests.offer("b", "vastai", 2, "1.60", 0.9, "US"), 2, false)
                        .extra())
                .containsEntry("limit", "max_hourly_usd");
        assertThat(PolicyCheck.refusal(
                                P, others, OfferRankingTests.offer("c", "vastai", 3, "1.00", 0.9, "US"), 2, false)
                        .extra())
                .containsEntry("limit", "max_gpus");
        assertThat(PolicyCheck.refusal(
                                P, others, OfferRankingTests.offer("d", "rackrr", 1, "0.10", 0.9, "US"), 2, false)
                        .status())
                .isEqualTo(403);
        assertThat(PolicyCheck.refusal(
                                P,
                                new PolicyCheck.Usage(2, 2, BigDecimal.ONE),
                                OfferRankingTests.offer("e", "vastai", 1, "0.10", 0.9, "US"),
                                2,
                                true)
                        .extra())
                .containsEntry("limit", "max_sessions");
        assertThat(PolicyCheck.refusal(null, others, OfferRankingTests.offer("f", "x", 99, "99", 0.9, "US"), 12, true))
                .isNull();
    }

    @Test
    void extendsCountTowardTheReservationLimit() {
        assertThat(PolicyCheck.extendRefusal(P, 4, 2)).isNull();
        assertThat(PolicyCheck.extendRefusal(P, 5, 2).getMessage())
                .contains("at most 6 reserved hours per session (max_reservation_hours); the session has 5");
        assertThat(PolicyCheck.extendRefusal(null, 11, 12)).isNull();
    }
}
