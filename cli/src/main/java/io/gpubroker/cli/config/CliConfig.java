package io.gpubroker.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The CLI's own files: {@code config} (url, api_key) and {@code keys/<session>} (private keys), in
 * {@code $XDG_CONFIG_HOME/gpubroker} or {@code ~/.config/gpubroker}. Secrets are written 0600 from
 * the first byte (created with those permissions, then moved into place), the folders 0700.
 */
public final class CliConfig {
    public static final String DEFAULT_URL = "http://localhost:8080";
    public static final String ENV_URL = "GPU_BROKER_URL";
    public static final String ENV_KEY = "GPU_BROKER_API_KEY";

    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path dir;

    public CliConfig(Path dir) {
        this.dir = dir;
    }

    /** {@code $XDG_CONFIG_HOME/gpubroker} when set, else {@code ~/.config/gpubroker}. */
    public static CliConfig fromEnvironment(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return new CliConfig(base.resolve("gpubroker"));
    }

    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve("config");
    }

    /** What the config file says (empty values when it does not exist). */
    public Stored load() {
        Properties p = new Properties();
        if (Files.exists(file())) {
            try (Reader r = Files.newBufferedReader(file(), StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file() + ": " + e.getMessage(), e);
            }
        }
        return new Stored(blankToNull(p.getProperty("url")), blankToNull(p.getProperty("api_key")));
    }

    /** The effective settings: a flag beats the environment, which beats the file; the URL defaults to localhost. */
    public Settings resolve(String urlFlag, String keyFlag, Map<String, String> env) {
        Stored s = load();
        String url = first(urlFlag, env.get(ENV_URL), s.url(), DEFAULT_URL);
        String key = first(keyFlag, env.get(ENV_KEY), s.apiKey(), null);
        String source = keyFlag != null
                ? "--api-key"
                : env.get(ENV_KEY) != null ? ENV_KEY : s.apiKey() != null ? file().toString() : null;
        return new Settings(url, key, source);
    }

    public void save(Stored stored) {
        Properties p = new Properties();
        p.setProperty("url", stored.url());
        p.setProperty("api_key", stored.apiKey());
        writeSecret(file(), w -> p.store(w, "gpu login: broker URL and API key (keep this file private)"));
    }

    public Path keyFile(String sessionId) {
        if (!sessionId.matches("[A-Za-z0-9._-]{1,128}") || sessionId.startsWith(".")) {
            throw new IllegalArgumentException("not a session id: " + sessionId);
        }
        return dir.resolve("keys").resolve(sessionId);
    }

    public Path knownHosts(String sessionId) {
        return keyFile(sessionId).resolveSibling(sessionId + ".known_hosts");
    }

    /** Stores a session's private key 0600; OpenSSH wants the PEM to end with a newline. */
    public Path storeKey(String sessionId, String privateKeyPem) {
        Path f = keyFile(sessionId);
        String pem = privateKeyPem.endsWith("\n") ? privateKeyPem : privateKeyPem + "\n";
        writeSecret(f, w -> w.write(pem));
        return f;
    }

    public boolean forgetKey(String sessionId) {
        try {
            Files.deleteIfExists(knownHosts(sessionId));
            return Files.deleteIfExists(keyFile(sessionId));
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete the key of " + sessionId + ": " + e.getMessage(), e);
        }
    }

    interface WriteBody {
        void write(Writer w) throws IOException;
    }

    private void writeSecret(Path target, WriteBody body) {
        try {
            Path parent = target.getParent();
            ensurePrivateDir(dir);
            ensurePrivateDir(parent);
            Path tmp = Files.createTempFile(parent, ".tmp-", "", PosixFilePermissions.asFileAttribute(OWNER_FILE));
            try {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    body.write(w);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void ensurePrivateDir(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            try {
                Files.createDirectories(d.getParent());
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            } catch (FileAlreadyExistsException e) {
                // created concurrently: fine
            }
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** What {@code gpu login} wrote. */
    public record Stored(String url, String apiKey) {}

    /** The settings a command runs with, and where the key came from (for messages, never the key itself). */
    public record Settings(String url, String apiKey, String keySource) {}
}
