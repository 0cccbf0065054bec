package io.gpubroker.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.billing.config.BillingConfig;
import io.gpubroker.billing.domain.InstanceCharge;
import io.gpubroker.billing.service.InstanceCosts;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which stretches of an instance's life no session covers, and who pays for them (without a database). */
class InstanceSegmentsTests {
    static final Instant T = Instant.parse("2026-10-07T09:00:00Z");

    static BillingConfig.InstanceCosts policy(BillingConfig.InstanceCosts.Payer payer) {
        return new BillingConfig.InstanceCosts() {
            @Override
            public Payer failedLaunchPayer() {
                return payer;
            }

            @Override
            public String operatorAccount() {
                return "ops";
            }
        };
    }

    static InstanceCharge charge(String kind, String consumer, Instant started, Instant ended, Instant gone) {
        return new InstanceCharge(
                "vastai", "vm", "s", consumer, kind, "RTX 4090", BigDecimal.ONE, "USD", T, gone, started, ended);
    }

    @Test
    void aFailedLaunchIsPaidAsThePolicySaysAndTheOperatorPaysWhenTheConsumerIsUnknown() {
        var c = charge("attempt", "team", null, null, T.plusSeconds(300));
        assertThat(InstanceCosts.segments(c, policy(BillingConfig.InstanceCosts.Payer.consumer)))
                .containsExactly(new InstanceCharge.Segment("failed_attempt", T, T.plusSeconds(300), "team"));
        assertThat(InstanceCosts.segments(c, policy(BillingConfig.InstanceCosts.Payer.operator)))
                .containsExactly(new InstanceCharge.Segment("failed_attempt", T, T.plusSeconds(300), "ops"));
        assertThat(InstanceCosts.segments(
                        charge("unwanted", null, null, null, T.plusSeconds(60)),
                        policy(BillingConfig.InstanceCosts.Payer.consumer)))
                .extracting(InstanceCharge.Segment::payer)
                .containsExactly("ops");
    }

    @Test
    void anOrphanIsAlwaysTheOperatorsAndARunningSessionsInstanceOnlyItsBootAndTail() {
        assertThat(InstanceCosts.segments(
                        charge("orphan", "team", null, null, T.plusSeconds(60)),
                        policy(BillingConfig.InstanceCosts.Payer.consumer)))
                .containsExactly(new InstanceCharge.Segment("orphan", T, T.plusSeconds(60), "ops"));

        List<InstanceCharge.Segment> ran = InstanceCosts.segments(
                charge("attempt", "team", T.plusSeconds(40), T.plusSeconds(600), T.plusSeconds(630)),
                policy(BillingConfig.InstanceCosts.Payer.operator));
        assertThat(ran)
                .containsExactly(
                        new InstanceCharge.Segment("boot", T, T.plusSeconds(40), "team"),
                        new InstanceCharge.Segment("destroy_delay", T.plusSeconds(600), T.plusSeconds(630), "team"));
        assertThat(InstanceCosts.segments(
                        charge("attempt", "team", T.plusSeconds(40), T.plusSeconds(600), T.plusSeconds(600)),
                        policy(BillingConfig.InstanceCosts.Payer.operator)))
                .as("confirmed at the session's end: nothing but the boot")
                .containsExactly(new InstanceCharge.Segment("boot", T, T.plusSeconds(40), "team"));
        assertThat(InstanceCosts.segments(
                        charge("attempt", "team", null, null, T), policy(BillingConfig.InstanceCosts.Payer.operator)))
                .as("gone when created: nothing")
                .isEmpty();
    }
}
