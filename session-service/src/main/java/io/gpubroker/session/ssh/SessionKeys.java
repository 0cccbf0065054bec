package io.gpubroker.session.ssh;

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

import jakarta.enterprise.context.ApplicationScoped;

import net.i2p.crypto.eddsa.EdDSAPrivateKey;
import net.i2p.crypto.eddsa.EdDSAPublicKey;
import net.i2p.crypto.eddsa.spec.EdDSANamedCurveTable;
import net.i2p.crypto.eddsa.spec.EdDSAParameterSpec;
import net.i2p.crypto.eddsa.spec.EdDSAPrivateKeySpec;
import net.i2p.crypto.eddsa.spec.EdDSAPublicKeySpec;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * SSH keys of a session. The user's Ed25519 pair is fresh per session: its private half is
 * returned once and never stored, logged or sent on Kafka. The broker's verification key is
 * derived from a secret and the session id (HMAC), so it too is never stored, yet survives a
 * restart of this service mid-verification.
 */
@ApplicationScoped
public class SessionKeys {
    private static final EdDSAParameterSpec ED25519 = EdDSANamedCurveTable.getByName(EdDSANamedCurveTable.ED_25519);
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
            return new UserKey(PublicKeyEntry.toString(kp.getPublic()) + " gpubroker-" + sessionId,
                    out.toString(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an Ed25519 key", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broker's verification key for {@code sessionId}, derived on demand. */
    public KeyPair verificationKey(String sessionId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] seed = mac.doFinal(("verify:" + sessionId).getBytes(StandardCharsets.UTF_8));
            EdDSAPrivateKeySpec priv = new EdDSAPrivateKeySpec(seed, ED25519);
            return new KeyPair(new EdDSAPublicKey(new EdDSAPublicKeySpec(priv.getA(), ED25519)), new EdDSAPrivateKey(priv));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String verificationPublicKeyLine(String sessionId) {
        return PublicKeyEntry.toString(verificationKey(sessionId).getPublic()) + " gpubroker-verify";
    }

    /** A random agent token (returned once) and its hash (stored). */
    public static String newAgentToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return "gat_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean matches(String token, String storedHash) {
        return token != null && storedHash != null
                && MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
