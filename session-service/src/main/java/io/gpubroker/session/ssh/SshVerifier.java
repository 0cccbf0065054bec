package io.gpubroker.session.ssh;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.ConnectException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.jboss.logging.Logger;

/**
 * Real SSH verification (Apache MINA SSHD client): handshake with the broker's verification key,
 * {@code echo}, then {@code nvidia-smi} for the host truth. Every connection takes the session's
 * pinned host key (null before the first verification pinned one): a host presenting another key
 * is refused during key exchange, before the broker authenticates. Blocking: call it from a worker thread.
 */
@ApplicationScoped
public class SshVerifier {
    private static final Logger LOG = Logger.getLogger(SshVerifier.class);
    private static final Pattern CUDA = Pattern.compile("CUDA Version:\\s*([0-9]+\\.[0-9]+)");
    static final String MARKER = "gpubroker-ok";
    /** The fingerprint a connection must see (connection context attribute); null = first contact. */
    private static final AttributeRepository.AttributeKey<String> EXPECTED = new AttributeRepository.AttributeKey<>();
    /** The fingerprint the host presented (set by the key verifier). */
    private static final AttributeRepository.AttributeKey<String> SEEN = new AttributeRepository.AttributeKey<>();

    private final SshClient client;

    public SshVerifier() {
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, remote, key) -> {
            String seen = KeyUtils.getFingerPrint(key);
            session.setAttribute(SEEN, seen);
            AttributeRepository context = session.getConnectionContext();
            String expected = context == null ? null : context.getAttribute(EXPECTED);
            return expected == null || expected.equals(seen);
        });
        client.start();
    }

    @PreDestroy
    void stop() throws IOException {
        client.stop();
    }

    /** The host presented another key than the pinned one; nothing was authenticated. */
    public static final class HostKeyChanged extends IOException {
        HostKeyChanged(String expected, String got) {
            super("host key changed: expected " + expected + ", got " + got);
        }
    }

    /**
     * An authenticated session to the host, whose key must be {@code pinnedHostKey} when not null.
     * The pin travels in the connection context so the key verifier (shared by all connections)
     * checks each connection against its own session's pin.
     */
    private ClientSession open(String host, int port, String user, KeyPair key, String pinnedHostKey, Duration timeout)
            throws IOException {
        AttributeRepository context =
                pinnedHostKey == null ? null : AttributeRepository.ofKeyValuePair(EXPECTED, pinnedHostKey);
        ClientSession s =
                client.connect(user, host, port, context).verify(timeout).getSession();
        try {
            s.addPublicKeyIdentity(key);
            s.auth().verify(timeout);
            return s;
        } catch (IOException | RuntimeException e) {
            String seen = s.getAttribute(SEEN);
            s.close(true);
            if (pinnedHostKey != null && seen != null && !pinnedHostKey.equals(seen)) {
                throw new HostKeyChanged(pinnedHostKey, seen);
            }
            throw e;
        }
    }

    /**
     * Verifies the host with the broker's key and makes sure the user's public key is installed
     * (providers that take a single key get the broker's; the user's is added here, idempotently).
     * The report carries the host key seen once the broker's key was accepted (to pin on first use).
     */
    public HostReport verify(
            String host,
            int port,
            String user,
            KeyPair key,
            String userPublicKey,
            String pinnedHostKey,
            Duration timeout) {
        try (ClientSession s = open(host, port, user, key, pinnedHostKey, timeout)) {
            String hostKey = s.getAttribute(SEEN);
            String echo = s.executeRemoteCommand("echo " + MARKER).trim();
            if (!MARKER.equals(echo)) {
                return HostReport.failed(HostReport.Failure.COMMAND_FAILED, "echo answered '" + echo + "'")
                        .withHostKey(hostKey);
            }
            if (userPublicKey != null && userPublicKey.matches("[A-Za-z0-9+/=@. -]+")) {
                s.executeRemoteCommand("mkdir -p ~/.ssh && chmod 700 ~/.ssh && (grep -qxF '" + userPublicKey
                        + "' ~/.ssh/authorized_keys 2>/dev/null || echo '" + userPublicKey
                        + "' >> ~/.ssh/authorized_keys)");
            }
            String csv = s.executeRemoteCommand(
                            "nvidia-smi --query-gpu=name,memory.total,driver_version,utilization.gpu --format=csv,noheader,nounits")
                    .trim();
            String table = s.executeRemoteCommand("nvidia-smi");
            return parse(csv, table).withHostKey(hostKey);
        } catch (HostKeyChanged e) {
            return HostReport.failed(HostReport.Failure.HOST_KEY_MISMATCH, e.getMessage());
        } catch (SshException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("No more authentication methods") || m.contains("authentication")) {
                return HostReport.failed(HostReport.Failure.AUTH_REJECTED, "the host rejected the broker's key");
            }
            return HostReport.failed(
                    unreachable(e) ? HostReport.Failure.UNREACHABLE : HostReport.Failure.COMMAND_FAILED, m);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("ssh %s:%d failed: %s", host, port, e.getMessage());
            return HostReport.failed(
                    unreachable(e) ? HostReport.Failure.UNREACHABLE : HostReport.Failure.COMMAND_FAILED,
                    String.valueOf(e.getMessage()));
        }
    }

    /** GPU utilisation now (idle detection without an agent); null when the probe fails or the host key changed. */
    public Integer gpuUtil(String host, int port, String user, KeyPair key, String pinnedHostKey, Duration timeout) {
        try (ClientSession s = open(host, port, user, key, pinnedHostKey, timeout)) {
            String out = s.executeRemoteCommand("nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits")
                    .trim();
            return out.lines().mapToInt(l -> Integer.parseInt(l.trim())).max().orElse(0);
        } catch (HostKeyChanged e) {
            LOG.warnf("GPU probe of %s:%d refused: %s", host, port, e.getMessage());
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The outcome of one remote command. */
    public record Exec(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command} with the broker's key; a connection, auth or host key failure is exit code -1. */
    public Exec exec(
            String host,
            int port,
            String user,
            KeyPair key,
            String pinnedHostKey,
            String command,
            Duration connectTimeout,
            Duration runTimeout) {
        try (ClientSession s = open(host, port, user, key, pinnedHostKey, connectTimeout)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (ChannelExec ch = s.createExecChannel(command)) {
                ch.setOut(out);
                ch.setErr(out);
                ch.open().verify(connectTimeout);
                ch.waitFor(java.util.EnumSet.of(ClientChannelEvent.CLOSED), runTimeout);
                Integer code = ch.getExitStatus();
                String text =
                        out.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
                if (code == null) {
                    return new Exec(
                            -1,
                            "no exit status within " + runTimeout.toSeconds() + " s"
                                    + (text.isEmpty() ? "" : ": " + text));
                }
                return new Exec(code, text);
            }
        } catch (IOException | RuntimeException e) {
            return new Exec(-1, "ssh " + host + ":" + port + ": " + e.getMessage());
        }
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException
                    || String.valueOf(t.getMessage()).contains("Connection refused")
                    || String.valueOf(t.getMessage()).contains("timeout")) {
                return true;
            }
        }
        return false;
    }

    static HostReport parse(String csv, String table) {
        String[] lines = csv.lines().filter(l -> !l.isBlank()).toArray(String[]::new);
        if (lines.length == 0) {
            return HostReport.failed(HostReport.Failure.COMMAND_FAILED, "nvidia-smi listed no GPU");
        }
        String[] f = lines[0].split("\\s*,\\s*");
        if (f.length < 3) {
            return HostReport.failed(HostReport.Failure.COMMAND_FAILED, "unexpected nvidia-smi output: " + lines[0]);
        }
        Matcher m = CUDA.matcher(table == null ? "" : table);
        Double cuda = m.find() ? Double.valueOf(m.group(1)) : null;
        Integer util = null;
        int maxUtil = -1;
        for (String l : lines) {
            String[] p = l.split("\\s*,\\s*");
            if (p.length >= 4) {
                try {
                    maxUtil = Math.max(maxUtil, Integer.parseInt(p[3].trim()));
                } catch (NumberFormatException ignored) {
                    // [N/A] on some GPUs
                }
            }
        }
        if (maxUtil >= 0) {
            util = maxUtil;
        }
        int vram;
        try {
            vram = Integer.parseInt(f[1].trim());
        } catch (NumberFormatException e) {
            return HostReport.failed(HostReport.Failure.COMMAND_FAILED, "unexpected memory.total: " + f[1]);
        }
        return new HostReport(null, null, f[0].trim(), lines.length, vram, f[2].trim(), cuda, util);
    }
}
