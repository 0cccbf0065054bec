package io.gpubroker.session.ssh;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.eddsa.generic.EdDSASupport;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * SSH keys of a session. The user's Ed25519 pair is fresh per session: its private half is
 * returned once and never stored, logged or sent on Kafka. The broker's verification key is
 * derived from a secret, the session id and a random per-session salt kept in the session row
 * (ADR 0005): never stored, not derivable from the id alone, yet any replica can re-derive it.
 * Ed25519 comes from MINA SSHD's Bouncy Castle support (no net.i2p eddsa).
 */
@ApplicationScoped
public class SessionKeys {
    /** Bytes of a verification salt: 128 random bits make the key unguessable from the session id. */
    public static final int SALT_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] secret;

    public SessionKeys(@ConfigProperty(name = "broker.verify-secret") String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("broker.verify-secret must be at least 16 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** A user key pair and its two text forms. */
    public record UserKey(String publicKeyLine, String privateKeyPem) {
        @Override
        public String toString() {
            return "UserKey[" + publicKeyLine + "]";
        }
    }

    public UserKey newUserKey(String sessionId) {
        try {
            KeyPair kp = KeyUtils.generateKeyPair("ssh-ed25519", 256);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "gpubroker-" + sessionId, null, out);
            return new UserKey(
                    PublicKeyEntry.toString(kp.getPublic()) + " gpubroker-" + sessionId,
                    out.toString(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an Ed25519 key", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The salt of a session that needs no more broker SSH access (ended, or its key removed from the
     * host): nothing derives a key from it, and it is distinct from null (a row from before salts).
     */
    public static final String RETIRED = "retired";

    /** A fresh random salt for a new session's verification key (base64url, stored in the session row). */
    public static String newSalt() {
        byte[] b = new byte[SALT_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * The broker's verification key for a session, derived on demand: HMAC-SHA256(secret,
     * "verify-salted:" salt ":" id) is the Ed25519 seed. A null salt is a row created before salts existed
     * (HMAC of "verify:" id, the old derivation) and keeps working until that session ends.
     */
    public KeyPair verificationKey(String sessionId, String salt) {
        if (RETIRED.equals(salt)) {
            throw new IllegalStateException("session " + sessionId + " no longer has a verification key");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String input = salt == null ? "verify:" + sessionId : "verify-salted:" + salt + ":" + sessionId;
            byte[] seed = mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
            EdDSASupport<?, ?> ed = SecurityUtils.getEdDSASupport()
                    .orElseThrow(() -> new IllegalStateException("no Ed25519 support (Bouncy Castle missing)"));
            java.security.PrivateKey priv = ed.generateEDDSAPrivateKey(seed);
            return new KeyPair(ed.recoverEDDSAPublicKey(priv), priv);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String verificationPublicKeyLine(String sessionId, String salt) {
        return PublicKeyEntry.toString(verificationKey(sessionId, salt).getPublic()) + " " + VERIFY_COMMENT;
    }

    /** The comment of the broker's line in authorized_keys (what {@link SshVerifier} removes when done). */
    public static final String VERIFY_COMMENT = "gpubroker-verify";

    /** A random agent token (returned once) and its hash (stored). */
    public static String newAgentToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return "gat_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean matches(String token, String storedHash) {
        return token != null
                && storedHash != null
                && MessageDigest.isEqual(
                        hash(token).getBytes(StandardCharsets.US_ASCII),
                        storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
