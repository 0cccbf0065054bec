package io.gpubroker.provider.adapter;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Installs public keys on a password-only host (Trooper) over SSH with Apache MINA SSHD, so the
 * password is used once, inside the gateway, and never leaves it (not logged, not replied).
 * Host keys are pinned: {@link #hostKey} learns a new host's key from a key exchange alone (no
 * authentication, so no password), the caller stores it, and {@link #install} sends the password
 * only to a host presenting exactly that key.
 */
public final class SshKeyInstaller implements AutoCloseable {
    private static final Pattern KEY =
            Pattern.compile("(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+( [^'\"\\\\`$]*)?");
    /** The fingerprint a connection must see (connection context); absent = only learning the key. */
    private static final AttributeRepository.AttributeKey<String> EXPECTED = new AttributeRepository.AttributeKey<>();
    /** The fingerprint the host presented (set by the key verifier). */
    private static final AttributeRepository.AttributeKey<String> SEEN = new AttributeRepository.AttributeKey<>();

    private final SshClient client;
    private final Duration timeout;

    public SshKeyInstaller(Duration timeout) {
        this.timeout = timeout;
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, remote, key) -> {
            String seen = KeyUtils.getFingerPrint(key);
            session.setAttribute(SEEN, seen);
            AttributeRepository context = session.getConnectionContext();
            String expected = context == null ? null : context.getAttribute(EXPECTED);
            // a learning connection never authenticates, so accepting its key exposes nothing
            return expected == null || expected.equals(seen);
        });
        client.start();
    }

    /** A refused host: it presented another key than the pinned one, and got no password. */
    public static final class HostKeyChanged extends RuntimeException {
        HostKeyChanged(String expected, String got) {
            super("host key changed: expected " + expected + ", got " + got);
        }
    }

    /**
     * The host's key fingerprint ({@code SHA256:...}) from a key exchange without authentication:
     * trust on first use, before any password is sent. A failure is TRANSIENT (retry later).
     */
    public String hostKey(String host, int port, String user) {
        try (ClientSession s = client.connect(user, host, port).verify(timeout).getSession()) {
            s.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED), timeout);
            String seen = s.getAttribute(SEEN);
            if (seen == null) {
                throw new IOException("no host key within " + timeout.toSeconds() + " s");
            }
            return seen;
        } catch (IOException | RuntimeException e) {
            throw new ProviderException(
                    ErrorClass.TRANSIENT,
                    "reading the SSH host key of " + host + ":" + port + " failed: "
                            + e.getClass().getSimpleName(),
                    0,
                    null,
                    false,
                    null);
        }
    }

    /**
     * Appends every key to {@code ~/.ssh/authorized_keys} of {@code user} on a host that presents
     * {@code pinnedHostKey}; another key throws {@link HostKeyChanged} before the password is sent.
     * Any other failure is TRANSIENT (retry later).
     */
    public void install(String host, int port, String user, String password, List<String> keys, String pinnedHostKey) {
        if (pinnedHostKey == null || pinnedHostKey.isBlank()) {
            throw new IllegalArgumentException("the password only goes to a host whose key is pinned");
        }
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
        ClientSession s = null;
        try {
            s = client.connect(user, host, port, AttributeRepository.ofKeyValuePair(EXPECTED, pinnedHostKey))
                    .verify(timeout)
                    .getSession();
            // the password is offered only after the key exchange, which the verifier fails on another key
            s.addPasswordIdentity(password);
            s.auth().verify(timeout);
            s.executeRemoteCommand(cmd.toString());
        } catch (Exception e) {
            String seen = s == null ? null : s.getAttribute(SEEN);
            if (seen != null && !seen.equals(pinnedHostKey)) {
                throw new HostKeyChanged(pinnedHostKey, seen);
            }
            // the message of an auth failure never contains the password
            throw new ProviderException(
                    ErrorClass.TRANSIENT,
                    "installing keys over SSH on " + host + ":" + port + " failed: "
                            + e.getClass().getSimpleName(),
                    0,
                    null,
                    false,
                    null);
        } finally {
            if (s != null) {
                s.close(true);
            }
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
