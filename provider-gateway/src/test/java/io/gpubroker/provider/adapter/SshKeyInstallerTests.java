package io.gpubroker.provider.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.sim.core.GpuSpec;
import io.gpubroker.sim.core.SshHost;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;

/** The Trooper key install against a real SSH server: the password only goes to the pinned host key. */
class SshKeyInstallerTests {

    @Test
    void pinsOnFirstUseWithoutAPasswordAndRefusesAChangedHostKeyBeforeSendingIt() throws Exception {
        KeyPair session = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        List<String> keys = List.of(PublicKeyEntry.toString(session.getPublic()) + " gpubroker-ses_1");
        try (SshKeyInstaller installer = new SshKeyInstaller(Duration.ofSeconds(10));
                SshHost host = new SshHost(
                                "root",
                                "trooper-1",
                                new GpuSpec("RTX 4090", 1, 24564, "560.35.03", "12.6"),
                                SshHost.Mode.NORMAL)
                        .start()) {
            host.allowPassword("root-pass");

            String pin = installer.hostKey("127.0.0.1", host.port(), "root");
            assertThat(pin).isEqualTo(host.hostKeyFingerprint());
            assertThat(host.passwordAttempts()).isZero();

            installer.install("127.0.0.1", host.port(), "root", "root-pass", keys, pin);
            assertThat(host.authorizedKeyCount()).isEqualTo(1);
            int sent = host.passwordAttempts();
            assertThat(sent).isPositive();

            // a retried install on the same instance must meet the same key
            installer.install("127.0.0.1", host.port(), "root", "root-pass", keys, pin);

            String other = host.rotateHostKey();
            int before = host.passwordAttempts();
            assertThatThrownBy(() -> installer.install("127.0.0.1", host.port(), "root", "root-pass", keys, pin))
                    .isInstanceOf(SshKeyInstaller.HostKeyChanged.class)
                    .hasMessage("host key changed: expected " + pin + ", got " + other);
            assertThat(host.passwordAttempts())
                    .as("no password to a host with another key")
                    .isEqualTo(before);
            assertThatThrownBy(() -> installer.install("127.0.0.1", host.port(), "root", "root-pass", keys, null))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
