package io.gpubroker.kit.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The startup check's rules: missing, short, simple and known-default secrets are refused. */
class SecretRulesTests {
    private static final Secret VERIFY = Secret.own("broker.verification.secret", "BROKER_VERIFY_SECRET");
    private static final String GOOD = "q7Rk2vX9pLm4Wz8TcB3nHf6Js1Yd5Ga0";

    @Test
    void missingOrBlankIsRefusedNamingTheVariable() {
        assertThat(SecretRules.problem(VERIFY, Optional.empty()))
                .get()
                .asString()
                .contains("BROKER_VERIFY_SECRET is not set")
                .contains("broker.verification.secret");
        assertThat(SecretRules.problem(VERIFY, Optional.of("   ")))
                .get()
                .asString()
                .contains("is not set");
    }

    @Test
    void theFormerShippedDefaultIsRefused() {
        assertThat(SecretRules.problem(VERIFY, Optional.of("local-development-verification-secret")))
                .get()
                .asString()
                .contains("BROKER_VERIFY_SECRET is a known default");
    }

    @Test
    void simulatorKeysAndPlaceholdersAreRefused() {
        Secret vast = Secret.providerKey("vastai");
        assertThat(vast.variable()).isEqualTo("BROKER_PROVIDERS_VASTAI_API_KEY");
        assertThat(SecretRules.problem(vast, Optional.of("sim-vastai-key")))
                .get()
                .asString()
                .contains("known default");
        assertThat(SecretRules.problem(VERIFY, Optional.of("please-changeme-before-production-0123")))
                .isPresent();
    }

    @Test
    void shortIsRefusedWithTheLengths() {
        assertThat(SecretRules.problem(VERIFY, Optional.of(GOOD.substring(0, 31))))
                .get()
                .asString()
                .contains("too short (31 characters, at least 32 required)");
    }

    @Test
    void lowEntropyIsRefused() {
        assertThat(SecretRules.problem(VERIFY, Optional.of("abababababababababababababababab")))
                .get()
                .asString()
                .contains("too simple");
    }

    @Test
    void aLongRandomValueIsAccepted() {
        assertThat(SecretRules.problem(VERIFY, Optional.of(GOOD))).isEmpty();
        // a provider's own key format may be shorter than ours
        assertThat(SecretRules.problem(Secret.providerKey("rackrr"), Optional.of("rk_9f3Ka81LmQ2zX7")))
                .isEmpty();
    }

    @Test
    void tokenComparisonNeedsTheExactValue() {
        assertThat(InternalToken.matches(GOOD, GOOD)).isTrue();
        assertThat(InternalToken.matches(GOOD, GOOD + "x")).isFalse();
        assertThat(InternalToken.matches(GOOD, GOOD.substring(1))).isFalse();
        assertThat(InternalToken.matches(GOOD, null)).isFalse();
        assertThat(InternalToken.matches("", "")).isFalse();
        assertThat(InternalToken.matches(null, null)).isFalse();
    }
}
