package io.gpubroker.provider.adapter;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * Installs public keys on a password-only host (Trooper) over SSH with Apache MINA SSHD, so the
 * password is used once, inside the gateway, and never leaves it (not logged, not replied).
 * Host keys are not pinned: the host was created seconds ago and has no known key to check against.
 */
public final class SshKeyInstaller implements AutoCloseable {
    private static final Pattern KEY = Pattern.compile("(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+( [^'\"\\\\`$]*)?");

    private final SshClient client;
    private final Duration timeout;

    public SshKeyInstaller(Duration timeout) {
        this.timeout = timeout;
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
    }

    /** Appends every key to {@code ~/.ssh/authorized_keys} of {@code user}; a failure is TRANSIENT (retry later). */
    public void install(String host, int port, String user, String password, List<String> keys) {
        StringBuilder cmd = new StringBuilder("mkdir -p ~/.ssh && chmod 700 ~/.ssh");
        for (String k : keys) {
            String line = k.trim();
            // only plain OpenSSH key lines go into the shell command: nothing that could break out of the quotes
            if (!KEY.matcher(line).matches()) {
                throw ProviderException.of(ErrorClass.INVALID, "not an OpenSSH public key line");
            }
            cmd.append(" && echo '").append(line).append("' >> ~/.ssh/authorized_keys");
        }
        cmd.append(" && chmod 600 ~/.ssh/authorized_keys");
        try (ClientSession s = client.connect(user, host, port).verify(timeout).getSession()) {
            s.addPasswordIdentity(password);
            s.auth().verify(timeout);
            s.executeRemoteCommand(cmd.toString());
        } catch (Exception e) {
            // the message of an auth failure never contains the password
            throw new ProviderException(ErrorClass.TRANSIENT, "installing keys over SSH on " + host + ":" + port + " failed: "
                    + e.getClass().getSimpleName(), 0, null, false, null);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception ignored) {
            // shutting down
        }
    }
}
