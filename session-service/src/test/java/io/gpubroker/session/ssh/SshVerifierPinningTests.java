package io.gpubroker.session.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.sim.core.GpuSpec;
import io.gpubroker.sim.core.SshHost;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Host key pinning against a real SSH server (the simulators' MINA SSHD host, whose key can be rotated). */
class SshVerifierPinningTests {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static SshVerifier verifier;
    static final SessionKeys KEYS = new SessionKeys("a-test-secret-of-32-characters!!");

    @BeforeAll
    static void start() {
        verifier = new SshVerifier();
    }

    @AfterAll
    static void stop() throws Exception {
        verifier.stop();
    }

    @Test
    void theFirstVerificationPinsTheHostKeyAndAChangedKeyIsRefusedEverywhere() {
        String salt = SessionKeys.newSalt();
        KeyPair key = KEYS.verificationKey("ses_pin", salt);
        try (SshHost host = new SshHost(
                        "root", "sim-pin", new GpuSpec("RTX 4090", 1, 24564, "560.35.03", "12.6"), SshHost.Mode.NORMAL)
                .start()) {
            host.authorize(KEYS.verificationPublicKeyLine("ses_pin", salt));

            HostReport first = verifier.verify("127.0.0.1", host.port(), "root", key, null, null, TIMEOUT);
            assertThat(first.ok()).as(first.detail()).isTrue();
            assertThat(first.hostKey()).isEqualTo(host.hostKeyFingerprint());
            String pin = first.hostKey();

            HostReport again = verifier.verify("127.0.0.1", host.port(), "root", key, null, pin, TIMEOUT);
            assertThat(again.ok()).isTrue();
            assertThat(verifier.exec("127.0.0.1", host.port(), "root", key, pin, "echo hi", TIMEOUT, TIMEOUT)
                            .output())
                    .isEqualTo("hi");

            String other = host.rotateHostKey();
            HostReport refused = verifier.verify("127.0.0.1", host.port(), "root", key, null, pin, TIMEOUT);
            assertThat(refused.failure()).isEqualTo(HostReport.Failure.HOST_KEY_MISMATCH);
            assertThat(refused.detail()).isEqualTo("host key changed: expected " + pin + ", got " + other);
            assertThat(refused.hostKey()).isNull();
            assertThat(verifier.gpuUtil("127.0.0.1", host.port(), "root", key, pin, TIMEOUT))
                    .isNull();
            SshVerifier.Exec launch =
                    verifier.exec("127.0.0.1", host.port(), "root", key, pin, "echo hi", TIMEOUT, TIMEOUT);
            assertThat(launch.exitCode()).isEqualTo(-1);
            assertThat(launch.output()).contains("host key changed");
        }
    }

    @Test
    void noHostKeyIsReportedWhenTheBrokersKeyWasNotAccepted() {
        KeyPair key = KEYS.verificationKey("ses_nokey", SessionKeys.newSalt());
        try (SshHost host = new SshHost(
                        "root", "sim-nokey", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.NORMAL)
                .start()) {
            HostReport r = verifier.verify("127.0.0.1", host.port(), "root", key, null, null, TIMEOUT);
            assertThat(r.failure()).isEqualTo(HostReport.Failure.AUTH_REJECTED);
            assertThat(r.hostKey()).isNull();
        }
    }
}
