package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.gateway.auth.ApiKeys;
import io.gpubroker.gateway.auth.RateLimiter;
import io.gpubroker.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

/** The token bucket and the key format, without the server. */
class RateLimiterTests {

    static GatewayConfig.RateLimit config(double rps, int burst) {
        return new GatewayConfig.RateLimit() {
            @Override
            public double requestsPerSecond() {
                return rps;
            }

            @Override
            public int burst() {
                return burst;
            }

            @Override
            public boolean exemptAdmin() {
                return true;
            }
        };
    }

    @Test
    void aBucketLetsTheBurstThroughThenAsksToWaitAboutOneRefill() throws Exception {
        RateLimiter l = new RateLimiter(config(0.5, 3));
        assertThat(l.acquire("k")).isZero();
        assertThat(l.acquire("k")).isZero();
        assertThat(l.acquire("k")).isZero();
        assertThat(l.acquire("k")).as("seconds until one token at 0.5/s").isEqualTo(2);
        assertThat(l.acquire("other")).as("buckets are per key").isZero();
    }

    @Test
    void aKeyIsFoundByItsIdAndMatchesOnlyItsOwnHash() {
        ApiKeys.NewKey k = ApiKeys.generate();
        assertThat(ApiKeys.keyIdOf(k.key())).isEqualTo(k.keyId());
        assertThat(ApiKeys.matches(k.key(), ApiKeys.hash(k.key()))).isTrue();
        assertThat(ApiKeys.matches(ApiKeys.generate().key(), ApiKeys.hash(k.key())))
                .isFalse();
        assertThat(ApiKeys.keyIdOf("gbk_admin_xyz")).isNull();
        assertThat(ApiKeys.generate().key()).isNotEqualTo(k.key());
    }
}
