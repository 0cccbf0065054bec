package io.gpubroker.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SshHostTests {

    static SshClient client;

    @BeforeAll
    static void client() {
        client = SshClient.setUpDefaultClient();
        client.start();
    }

    @AfterAll
    static void stop() throws Exception {
        client.stop();
    }

    static String exec(int port, String user, KeyPair key, String command) throws Exception {
        try (ClientSession s = client.connect(user, "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(5));
            return s.executeRemoteCommand(command);
        }
    }

    @Test
    void acceptsTheInjectedKeyAndAnswersBrokerCommands() throws Exception {
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        GpuSpec gpu = new GpuSpec("RTX 4090", 2, 24564, "560.35.03", "12.6");
        try (SshHost host = new SshHost("root", "sim-1", gpu, SshHost.Mode.NORMAL).start()) {
            host.authorize(PublicKeyEntry.toString(key.getPublic()) + " broker");
            assertThat(exec(host.port(), "root", key, "echo ok")).isEqualTo("ok\n");
            assertThat(exec(
                            host.port(),
                            "root",
                            key,
                            "nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits"))
                    .isEqualTo(
                            "NVIDIA GeForce RTX 4090, 24564, 560.35.03\nNVIDIA GeForce RTX 4090, 24564, 560.35.03\n");
            host.setGpuUtilPct(73);
            assertThat(exec(host.port(), "root", key, "nvidia-smi"))
                    .contains("CUDA Version: 12.6")
                    .contains("73%");
        }
    }

    @Test
    void rejectsAKeyThatWasNotInjected() throws Exception {
        KeyPair injected = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyPair other = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        try (SshHost host =
                new SshHost("root", "sim-2", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.NORMAL).start()) {
            host.authorize(PublicKeyEntry.toString(injected.getPublic()));
            assertThatThrownBy(() -> exec(host.port(), "root", other, "echo ok"))
                    .isInstanceOf(Exception.class);
        }
    }

    @Test
    void installsAKeyThroughAuthorizedKeysAfterPasswordLogin() throws Exception {
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        try (SshHost host =
                new SshHost("root", "sim-3", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.NORMAL).start()) {
            host.allowPassword("s3cret");
            try (ClientSession s = client.connect("root", "127.0.0.1", host.port())
                    .verify(Duration.ofSeconds(5))
                    .getSession()) {
                s.addPasswordIdentity("s3cret");
                s.auth().verify(Duration.ofSeconds(5));
                s.executeRemoteCommand("mkdir -p ~/.ssh && echo '" + PublicKeyEntry.toString(key.getPublic())
                        + "' >> ~/.ssh/authorized_keys");
            }
            assertThat(exec(host.port(), "root", key, "echo in")).isEqualTo("in\n");
        }
    }

    @Test
    void rejectKeysModeRefusesEvenTheInjectedKey() throws Exception {
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        try (SshHost host = new SshHost(
                        "root", "sim-4", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.REJECT_KEYS)
                .start()) {
            host.authorize(PublicKeyEntry.toString(key.getPublic()));
            assertThatThrownBy(() -> exec(host.port(), "root", key, "echo ok")).isInstanceOf(Exception.class);
        }
    }

    @Test
    void everyHostHasItsOwnHostKeyAndARotationReplacesIt() throws Exception {
        GpuSpec gpu = new GpuSpec("L4", 1, 23034, "550", "12.4");
        try (SshHost a = new SshHost("root", "sim-a", gpu, SshHost.Mode.NORMAL).start();
                SshHost b = new SshHost("root", "sim-b", gpu, SshHost.Mode.NORMAL).start()) {
            assertThat(a.hostKeyFingerprint()).startsWith("SHA256:").isNotEqualTo(b.hostKeyFingerprint());
            assertThat(presented(a.port())).isEqualTo(a.hostKeyFingerprint());
            String before = a.hostKeyFingerprint();
            String after = a.rotateHostKey();
            assertThat(after).isNotEqualTo(before).isEqualTo(a.hostKeyFingerprint());
            assertThat(presented(a.port())).isEqualTo(after);
        }
    }

    /** The fingerprint the server presents in key exchange, as a client sees it. */
    private static String presented(int port) throws Exception {
        String[] seen = new String[1];
        SshClient c = SshClient.setUpDefaultClient();
        c.setServerKeyVerifier((session, remote, key) -> {
            seen[0] = KeyUtils.getFingerPrint(key);
            return true;
        });
        c.start();
        try (ClientSession s = c.connect("root", "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.auth().verify(Duration.ofSeconds(5));
        } catch (Exception expected) {
            // no identity: authentication fails after the key exchange the test is about
        } finally {
            c.stop();
        }
        return seen[0];
    }

    @Test
    void sedDeletesAuthorizedKeyLinesByTheirComment() throws Exception {
        KeyPair broker = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyPair user = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        try (SshHost host =
                new SshHost("root", "sim-5", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.NORMAL).start()) {
            host.authorize(PublicKeyEntry.toString(broker.getPublic()) + " gpubroker-verify");
            exec(
                    host.port(),
                    "root",
                    broker,
                    "echo '" + PublicKeyEntry.toString(user.getPublic())
                            + " gpubroker-sess-1' >> ~/.ssh/authorized_keys");
            assertThat(host.authorizedKeyCount()).isEqualTo(2);
            assertThat(exec(
                            host.port(),
                            "root",
                            broker,
                            "sed -i '/ gpubroker-verify$/d' ~/.ssh/authorized_keys && echo done"))
                    .isEqualTo("done\n");
            assertThat(host.authorizedKeyCount()).isEqualTo(1);
            assertThatThrownBy(() -> exec(host.port(), "root", broker, "echo ok"))
                    .isInstanceOf(Exception.class);
            assertThat(exec(host.port(), "root", user, "echo ok")).isEqualTo("ok\n");
        }
    }
}
