package io.gpubroker.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The API key format {@code gbk_<key id>_<secret>}: a 16-hex-char key id (public, used to find the
 * stored hash without scanning) and 256 random bits. Only SHA-256 of the whole key is stored; a
 * fast hash is enough because the secret has full entropy (nothing to brute-force by dictionary).
 */
public final class ApiKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("gbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");

    private ApiKeys() {}

    /** A freshly generated key: its id and the full secret text (shown once). */
    public record NewKey(String keyId, String key) {}

    public static NewKey generate() {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String keyId = HexFormat.of().formatHex(id);
        return new NewKey(
                keyId,
                "gbk_" + keyId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The key id of a well-formed key, or null. */
    public static String keyIdOf(String key) {
        var m = FORMAT.matcher(key);
        return m.matches() ? m.group(1) : null;
    }

    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** Constant-time comparison of a presented key against a stored hex hash. */
    public static boolean matches(String presented, String storedHash) {
        return MessageDigest.isEqual(sha256(presented), HexFormat.of().parseHex(storedHash));
    }

    /** Constant-time comparison of two secrets (hashing first equalizes lengths). */
    public static boolean same(String a, String b) {
        return MessageDigest.isEqual(sha256(a), sha256(b));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
