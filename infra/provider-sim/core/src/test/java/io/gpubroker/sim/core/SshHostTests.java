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
        try (ClientSession s = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(5)).getSession()) {
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
            assertThat(exec(host.port(), "root", key,
                    "nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits"))
                    .isEqualTo("NVIDIA GeForce RTX 4090, 24564, 560.35.03\nNVIDIA GeForce RTX 4090, 24564, 560.35.03\n");
            host.setGpuUtilPct(73);
            assertThat(exec(host.port(), "root", key, "nvidia-smi")).contains("CUDA Version: 12.6").contains("73%");
        }
    }

    @Test
    void rejectsAKeyThatWasNotInjected() throws Exception {
        KeyPair injected = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyPair other = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        try (SshHost host = new SshHost("root", "sim-2", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.NORMAL).start()) {
            host.authorize(PublicKeyEntry.toString(injected.getPublic()));
            assertThatThrownBy(() -> exec(host.port(), "root", other, "echo ok")).isInstanceOf(Exception.class);
        }
    }

    @Test
    void installsAKeyThroughAuthorizedKeysAfterPasswordLogin() throws Exception {
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        try (SshHost host = new SshHost("root", "sim-3", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.NORMAL).start()) {
            host.allowPassword("s3cret");
            try (ClientSession s = client.connect("root", "127.0.0.1", host.port()).verify(Duration.ofSeconds(5)).getSession()) {
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
        try (SshHost host = new SshHost("root", "sim-4", new GpuSpec("L4", 1, 23034, "550", "12.4"), SshHost.Mode.REJECT_KEYS).start()) {
            host.authorize(PublicKeyEntry.toString(key.getPublic()));
            assertThatThrownBy(() -> exec(host.port(), "root", key, "echo ok")).isInstanceOf(Exception.class);
        }
    }
}
