package io.gpubroker.sim.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A real SSH server (Apache MINA SSHD) for one simulated instance, on a loopback port. It accepts
 * exactly the public keys installed the provider's way (and, for password providers, the
 * password), and answers the commands a broker runs: {@code echo}, {@code nvidia-smi} (table and
 * {@code --query-gpu} CSV), installing keys into {@code authorized_keys} and, when the instance's
 * {@link Apps} are attached, {@code docker} ({@code run}, {@code ps}, {@code logs}, {@code stop},
 * {@code rm}, ...; optionally behind {@code sudo}). Commands may be chained with {@code ;},
 * {@code &&} and {@code ||}. Each host has its own host key, which a control call can replace.
 */
public final class SshHost implements AutoCloseable {

    /** How the host behaves: healthy, rejecting every key, or never listening at all. */
    public enum Mode {
        NORMAL,
        REJECT_KEYS,
        NEVER_OPEN
    }

    private static final Pattern KEY_LINE =
            Pattern.compile("(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+");
    /** The one edit of authorized_keys the broker makes besides appending: deleting lines by a literal text. */
    private static final Pattern SED_DELETE =
            Pattern.compile("sed -i '/([A-Za-z0-9@._ -]+\\$?)/d' ~/\\.ssh/authorized_keys");

    /** authorized_keys: each key with its whole line (comment included), so {@code sed -i '/text/d'} can drop it. */
    private final List<Authorized> authorized = new CopyOnWriteArrayList<>();
    /** This instance's own host key; replaced by {@link #rotateHostKey()} (a reinstalled or impersonated host). */
    private volatile KeyPair hostKey = newHostKey();

    private final Set<String> passwords = ConcurrentHashMap.newKeySet();
    private final AtomicInteger gpuUtilPct = new AtomicInteger();
    /** Password logins tried (what a host's auth log would show): proof a password went, or did not go, to this host. */
    private final AtomicInteger passwordAttempts = new AtomicInteger();

    private final String user;
    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private final String hostname;
    private volatile GpuSpec gpu;
    private volatile Mode mode;
    private volatile Apps docker;
    private SshServer server;
    private int port;

    public SshHost(String user, String hostname, GpuSpec gpu, Mode mode) {
        this.user = user;
        this.users.add(user);
        this.hostname = hostname;
        this.gpu = gpu;
        this.mode = mode;
    }

    /** Binds the server (or, in NEVER_OPEN mode, reserves a port nobody listens on). Blocking. */
    public synchronized SshHost start() {
        if (mode == Mode.NEVER_OPEN) {
            port = freePort();
            return this;
        }
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost("127.0.0.1");
        s.setPort(0);
        // read per connection: a rotated key is what the next client sees
        s.setKeyPairProvider(session -> List.of(hostKey));
        s.setPublickeyAuthenticator((username, key, session) -> mode == Mode.NORMAL
                && users.contains(username)
                && authorized.stream().anyMatch(a -> KeyUtils.compareKeys(a.key(), key)));
        s.setPasswordAuthenticator((username, password, session) -> {
            passwordAttempts.incrementAndGet();
            return mode == Mode.NORMAL && users.contains(username) && passwords.contains(password);
        });
        s.setKeyboardInteractiveAuthenticator(null);
        s.setCommandFactory((channel, command) -> new ExecCommand(command));
        s.setShellFactory(channel -> new Shell());
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = s;
        port = s.getPort();
        return this;
    }

    /** Lets another login name in with the same keys (TensorDock installs keys for root and user). */
    public SshHost alsoUser(String other) {
        users.add(other);
        return this;
    }

    /** The host key's fingerprint as OpenSSH prints it ({@code SHA256:...}). */
    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(hostKey.getPublic());
    }

    /** A new host key from now on (the machine was reinstalled, or another host answers at its address). */
    public String rotateHostKey() {
        hostKey = newHostKey();
        return hostKeyFingerprint();
    }

    private static KeyPair newHostKey() {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an SSH host key", e);
        }
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public boolean listening() {
        return server != null && server.isOpen();
    }

    /** Installs an OpenSSH public key line ({@code ssh-ed25519 AAAA... comment}). */
    public void authorize(String publicKeyLine) {
        String text = publicKeyLine == null ? "" : publicKeyLine;
        Matcher m = KEY_LINE.matcher(text);
        while (m.find()) {
            try {
                PublicKey key = AuthorizedKeyEntry.parseAuthorizedKeyEntry(m.group())
                        .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
                if (key != null && authorized.stream().noneMatch(a -> KeyUtils.compareKeys(a.key(), key))) {
                    authorized.add(new Authorized(key, lineAt(text, m.start())));
                }
            } catch (Exception e) {
                throw new IllegalArgumentException("not an OpenSSH public key: " + m.group(), e);
            }
        }
    }

    /** One authorized_keys line: the key and the line as written (comment included). */
    private record Authorized(PublicKey key, String line) {}

    /** The line of {@code text} that holds offset {@code at}, without quotes a shell command put around it. */
    private static String lineAt(String text, int at) {
        int end = text.indexOf('\n', at);
        String line = text.substring(at, end < 0 ? text.length() : end);
        for (String stop : new String[] {"'", "\"", " >", " &&", " ||", ";"}) {
            int i = line.indexOf(stop);
            if (i >= 0) {
                line = line.substring(0, i);
            }
        }
        return line.trim();
    }

    /** {@code sed -i '/TEXT/d' ~/.ssh/authorized_keys}: drops the lines containing TEXT ({@code $} anchors at the end). */
    private int sedDelete(String pattern) {
        boolean anchored = pattern.endsWith("$");
        String text = anchored ? pattern.substring(0, pattern.length() - 1) : pattern;
        authorized.removeIf(a -> anchored ? a.line().endsWith(text) : a.line().contains(text));
        return 0;
    }

    public int authorizedKeyCount() {
        return authorized.size();
    }

    public int passwordAttempts() {
        return passwordAttempts.get();
    }

    public void allowPassword(String password) {
        passwords.add(password);
    }

    public void setMode(Mode newMode) {
        this.mode = newMode;
    }

    public Mode mode() {
        return mode;
    }

    public void setGpu(GpuSpec newGpu) {
        this.gpu = newGpu;
    }

    public GpuSpec gpu() {
        return gpu;
    }

    /** The instance whose apps {@code docker} commands start and list; null = no docker on this host. */
    public void setDocker(Apps apps) {
        this.docker = apps;
    }

    public Apps docker() {
        return docker;
    }

    public void setGpuUtilPct(int pct) {
        gpuUtilPct.set(Math.max(0, Math.min(100, pct)));
    }

    public int gpuUtilPct() {
        return gpuUtilPct.get();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException ignored) {
                // closing a loopback server: nothing to recover
            }
            server = null;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one command line (stderr merged into {@code out}); returns the exit code. Package-private for tests. */
    int run(String line, InputStream stdin, StringBuilder out) throws IOException {
        return run(line, stdin, out, out);
    }

    /** Runs one command line; returns the exit code of its last command. Package-private for tests. */
    int run(String line, InputStream stdin, StringBuilder out, StringBuilder err) throws IOException {
        String cmd = line.trim();
        if (cmd.contains("authorized_keys") && !SED_DELETE.matcher(cmd).find()) {
            String keys = cmd;
            if (!KEY_LINE.matcher(cmd).find() && stdin != null) {
                keys = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            }
            authorize(keys);
            return 0;
        }
        int code = 0;
        for (DockerCli.Step step : DockerCli.sequence(cmd)) {
            if (step.op().equals("&&") && code != 0 || step.op().equals("||") && code == 0) {
                continue;
            }
            code = runOne(step.command(), out, err);
        }
        return code;
    }

    private int runOne(String cmd, StringBuilder out, StringBuilder err) {
        if (cmd.isEmpty() || cmd.equals("true")) {
            return 0;
        }
        String[] words = cmd.split("\\s+");
        switch (words[0]) {
            case "echo" -> out.append(unquote(cmd.substring(4).trim())).append('\n');
            case "hostname" -> out.append(hostname).append('\n');
            case "whoami" -> out.append(user).append('\n');
            case "uptime" -> out.append(" 12:00:00 up 1 min,  1 user,  load average: 0.00, 0.00, 0.00\n");
            case "false" -> {
                return 1;
            }
            case "sed" -> {
                Matcher sed = SED_DELETE.matcher(cmd);
                if (!sed.matches()) {
                    err.append("sed: only sed -i '/TEXT/d' ~/.ssh/authorized_keys is simulated\n");
                    return 1;
                }
                return sedDelete(sed.group(1));
            }
            case "nvidia-smi" -> {
                return nvidiaSmi(words, out);
            }
            case "docker", "sudo" -> {
                return docker(cmd, out, err);
            }
            default -> {
                err.append("bash: ").append(words[0]).append(": command not found\n");
                return 127;
            }
        }
        return 0;
    }

    /** {@code [sudo [-E|-n...]] docker ...} through the instance's {@link Apps}. */
    private int docker(String cmd, StringBuilder out, StringBuilder err) {
        List<String> words;
        try {
            words = DockerCli.words(cmd);
        } catch (DockerCli.Failure f) {
            err.append(f.getMessage()).append('\n');
            return f.exitCode();
        }
        int i = 0;
        if (!words.isEmpty() && words.get(0).equals("sudo")) {
            i++;
            while (i < words.size() && words.get(i).startsWith("-")) {
                i++;
            }
        }
        if (i >= words.size()) {
            err.append("usage: sudo command\n");
            return 1;
        }
        if (!words.get(i).equals("docker")) {
            return runOne(String.join(" ", words.subList(i, words.size())), out, err);
        }
        Apps apps = docker;
        if (apps == null) {
            err.append("bash: docker: command not found\n");
            return 127;
        }
        return apps.docker(words.subList(i + 1, words.size()), out, err);
    }

    private int nvidiaSmi(String[] words, StringBuilder out) {
        GpuSpec g = gpu;
        String query = null;
        boolean noHeader = false;
        boolean noUnits = false;
        for (String w : words) {
            if (w.startsWith("--query-gpu=")) {
                query = w.substring("--query-gpu=".length());
            } else if (w.startsWith("--format=")) {
                noHeader = w.contains("noheader");
                noUnits = w.contains("nounits");
            } else if (w.equals("-L")) {
                for (int i = 0; i < g.count(); i++) {
                    out.append("GPU ")
                            .append(i)
                            .append(": ")
                            .append(GpuSpec.driverName(g.name()))
                            .append(" (UUID: GPU-")
                            .append(String.format("%08x", (hostname + i).hashCode()))
                            .append(")\n");
                }
                return 0;
            }
        }
        if (query == null) {
            out.append(NvidiaSmi.table(g, gpuUtilPct.get(), hostname));
            return 0;
        }
        return NvidiaSmi.csv(g, gpuUtilPct.get(), query.split(","), !noHeader, !noUnits, hostname, out);
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "sim-ssh-command");
        t.setDaemon(true);
        t.start();
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** {@code ssh host 'command'}. */
    private final class ExecCommand implements Command {
        private final String line;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        ExecCommand(String line) {
            this.line = line;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            daemon(() -> {
                StringBuilder sb = new StringBuilder();
                StringBuilder eb = new StringBuilder();
                int code;
                try {
                    code = run(line, in, sb, eb);
                    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    err.write(eb.toString().getBytes(StandardCharsets.UTF_8));
                    err.flush();
                } catch (IOException | RuntimeException e) {
                    code = 1;
                }
                exit.onExit(code);
            });
        }

        @Override
        public void destroy(ChannelSession channel) {
            // nothing held beyond the channel's own streams
        }
    }

    /** An interactive login: a prompt, one command per line, {@code exit} to leave. */
    private final class Shell implements Command {
        private InputStream in;
        private OutputStream out;
        private ExitCallback exit;
        private volatile boolean done;

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            // the shell writes everything to stdout, as a pty would
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            daemon(this::loop);
        }

        private void loop() {
            String prompt = user + "@" + hostname + ":~# ";
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                write("Welcome to the GPU Broker provider simulator (" + gpu.count() + "x " + gpu.name() + ")\r\n"
                        + prompt);
                StringBuilder lineBuf = new StringBuilder();
                int c;
                while (!done && (c = r.read()) != -1) {
                    if (c == '\r' || c == '\n') {
                        write("\r\n");
                        String line = lineBuf.toString();
                        lineBuf.setLength(0);
                        if (line.trim().equals("exit") || line.trim().equals("logout")) {
                            break;
                        }
                        StringBuilder sb = new StringBuilder();
                        run(line, null, sb);
                        write(sb.toString().replace("\n", "\r\n") + prompt);
                    } else if (c == 127 || c == 8) {
                        if (lineBuf.length() > 0) {
                            lineBuf.setLength(lineBuf.length() - 1);
                            write("\b \b");
                        }
                    } else if (c == 4) {
                        break;
                    } else {
                        lineBuf.append((char) c);
                        write(String.valueOf((char) c));
                    }
                }
            } catch (IOException ignored) {
                // the client went away
            }
            exit.onExit(0);
        }

        private void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void destroy(ChannelSession channel) {
            done = true;
        }
    }
}
