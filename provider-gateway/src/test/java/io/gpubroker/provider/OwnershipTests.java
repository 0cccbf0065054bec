package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.provider.config.Ownership;
import org.junit.jupiter.api.Test;

class OwnershipTests {
    final Ownership own = new Ownership("gpub", "local");

    @Test
    void aTagNamesPrefixDeploymentAndSessionAndParsesBack() {
        String tag = own.tagFor("sess-3f2a");
        assertThat(tag).isEqualTo("gpub-local-sess-3f2a");
        assertThat(own.ours(tag)).isTrue();
        assertThat(own.sessionOf(tag)).contains("sess-3f2a");
    }

    @Test
    void otherDeploymentsAndUntaggedNamesAreNotOurs() {
        assertThat(own.ours("gpub-staging-sess-1")).isFalse();
        assertThat(own.ours("my-training-box")).isFalse();
        assertThat(own.ours(null)).isFalse();
        assertThatThrownBy(() -> new Ownership("gpub", "local-x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void longOrUnsafeSessionIdsStayWithin63TagSafeCharacters() {
        String tag = own.tagFor("Session_" + "x".repeat(100));
        assertThat(tag).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9-]+");
        assertThat(own.tagFor("Session_" + "x".repeat(100))).isEqualTo(tag);
        assertThat(own.tagFor("Session_" + "y".repeat(100))).isNotEqualTo(tag);
    }
}
