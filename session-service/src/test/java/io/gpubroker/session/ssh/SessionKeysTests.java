package io.gpubroker.session.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.Test;

class SessionKeysTests {
    private final SessionKeys keys = new SessionKeys("a-test-secret-of-32-characters!!");

    @Test
    void theSaltMakesTheVerificationKeyAndTheSameIdAndSaltGiveTheSameKey() {
        String salt = SessionKeys.newSalt();
        KeyPair first = keys.verificationKey("ses_1", salt);
        assertThat(KeyUtils.compareKeys(
                        first.getPublic(), keys.verificationKey("ses_1", salt).getPublic()))
                .isTrue();
        assertThat(KeyUtils.compareKeys(
                        first.getPublic(),
                        keys.verificationKey("ses_1", SessionKeys.newSalt()).getPublic()))
                .isFalse();
        assertThat(KeyUtils.compareKeys(
                        first.getPublic(), keys.verificationKey("ses_2", salt).getPublic()))
                .isFalse();
        // knowing the id alone gives the unsalted (legacy) key, which a salted session never installed
        assertThat(KeyUtils.compareKeys(
                        first.getPublic(), keys.verificationKey("ses_1", null).getPublic()))
                .isFalse();
        assertThat(SessionKeys.newSalt()).hasSize(22).isNotEqualTo(salt);
    }

    @Test
    void aRetiredSaltDerivesNothing() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> keys.verificationKey("ses_1", SessionKeys.RETIRED))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRowWithoutSaltKeepsTheLegacyDerivation() {
        // HMAC-SHA256(secret, "verify:ses_legacy") as seed: the key rows created before salts still carry
        KeyPair legacy = keys.verificationKey("ses_legacy", null);
        assertThat(keys.verificationPublicKeyLine("ses_legacy", null))
                .isEqualTo(org.apache.sshd.common.config.keys.PublicKeyEntry.toString(legacy.getPublic())
                        + " gpubroker-verify")
                .isEqualTo(LEGACY_LINE);
        assertThat(KeyUtils.compareKeys(
                        legacy.getPublic(),
                        keys.verificationKey("ses_legacy", null).getPublic()))
                .isTrue();
    }

    /** What the former net.i2p eddsa derivation produced for ("a-test-secret-of-32-characters!!", "ses_legacy"). */
    private static final String LEGACY_LINE =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPgGEYw88Wz4T3kzGVtG/6CWhzJE52d8tWIQkunHPMlR gpubroker-verify";

    @Test
    void userKeysAreEd25519InOpenSshFormatAndParseBack() throws Exception {
        SessionKeys.UserKey u = keys.newUserKey("ses_3");
        assertThat(u.publicKeyLine()).startsWith("ssh-ed25519 ").endsWith(" gpubroker-ses_3");
        assertThat(u.privateKeyPem()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        var parsed = SecurityUtils.loadKeyPairIdentities(
                null, null, new java.io.ByteArrayInputStream(u.privateKeyPem().getBytes(StandardCharsets.UTF_8)), null);
        KeyPair kp = parsed.iterator().next();
        assertThat(org.apache.sshd.common.config.keys.PublicKeyEntry.toString(kp.getPublic()) + " gpubroker-ses_3")
                .isEqualTo(u.publicKeyLine());
        assertThat(OpenSSHKeyPairResourceParser.INSTANCE).isNotNull();
    }
}
