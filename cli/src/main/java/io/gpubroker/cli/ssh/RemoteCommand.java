package io.gpubroker.cli.ssh;

import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.apache.sshd.common.util.io.resource.PathResource;

/**
 * Runs one command on an instance over SSH with a private key held only in memory (MINA SSHD), so a
 * check such as {@code gpu smoke} never writes the session's key to disk.
 */
public final class RemoteCommand {
    private RemoteCommand() {}

    /** The command's standard output; an SSH or authentication failure is an exception with the reason. */
    public static String run(String host, int port, String user, String privateKeyPem, String command, Duration timeout)
            throws Exception {
        // the resource name only labels parse errors: nothing is read from or written to that path
        Iterable<KeyPair> keys = OpenSSHKeyPairResourceParser.INSTANCE.loadKeyPairs(
                null, new PathResource(java.nio.file.Path.of("session-key")), null, List.of(privateKeyPem.split("\n")));
        SshClient client = SshClient.setUpDefaultClient();
        // the broker pinned this host's key when it verified the session; this one-off check trusts it
        client.setServerKeyVerifier((session, address, key) -> true);
        client.start();
        try (ClientSession s = client.connect(user, host, port).verify(timeout).getSession()) {
            for (KeyPair k : keys) {
                s.addPublicKeyIdentity(k);
            }
            s.auth().verify(timeout);
            return s.executeRemoteCommand(command);
        } finally {
            client.stop();
        }
    }
}
