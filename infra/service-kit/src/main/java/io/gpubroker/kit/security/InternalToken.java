package io.gpubroker.kit.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The shared token the gateway and the services present to each other in
 * {@value #HEADER} (configured as {@value #PROPERTY}, env {@value #VARIABLE}).
 */
public final class InternalToken {
    public static final String HEADER = "X-Broker-Internal-Token";
    public static final String PROPERTY = "broker.internal.token";
    public static final String VARIABLE = "BROKER_INTERNAL_TOKEN";

    private InternalToken() {}

    /** The configured token, if any (a blank value counts as none). */
    public static Optional<String> configured() {
        return ConfigProvider.getConfig()
                .getOptionalValue(PROPERTY, String.class)
                .filter(s -> !s.isBlank());
    }

    /** The configured token; calling another service without one is a configuration error. */
    public static String require() {
        return configured().orElseThrow(() -> new IllegalStateException(VARIABLE + " (" + PROPERTY + ") is not set"));
    }

    /**
     * True when {@code presented} equals {@code expected}. Both are hashed first so the comparison
     * takes the same time whatever the length or the first differing byte.
     */
    public static boolean matches(String expected, String presented) {
        if (expected == null || expected.isBlank() || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(expected), sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
