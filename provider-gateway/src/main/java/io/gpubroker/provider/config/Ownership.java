package io.gpubroker.provider.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The ownership tag {@code <prefix>-<deployment>-<session>} written into every instance's name or
 * label (≤ 63 chars of {@code [a-z0-9-]}): how the gateway finds a session's instance without an id
 * and tells its instances from foreign ones (untagged, or another deployment's — never touched).
 */
@ApplicationScoped
public class Ownership {
    private static final int MAX = 63;

    private final String prefix;
    private final String deployment;

    @Inject
    public Ownership(
            GatewayConfig.Ownership config,
            // shared with session-service (BROKER_DEPLOYMENT), so not under a gateway-owned prefix
            @ConfigProperty(name = "broker.deployment", defaultValue = "local") String deployment) {
        this(config.prefix(), deployment);
    }

    public Ownership(String prefix, String deployment) {
        // no '-' inside the parts: "gpub-local-..." must never also match deployment "local-x"
        if (!prefix.matches("[a-z0-9]{1,12}") || !deployment.matches("[a-z0-9]{1,20}")) {
            throw new IllegalArgumentException("broker.ownership.prefix and broker.deployment must be [a-z0-9] words");
        }
        this.prefix = prefix;
        this.deployment = deployment;
    }

    public String deployment() {
        return deployment;
    }

    private String head() {
        return prefix + "-" + deployment + "-";
    }

    /** The tag of {@code sessionId}; ids too long or not tag-safe are shortened with a digest suffix. */
    public String tagFor(String sessionId) {
        String safe = sessionId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String tag = head() + safe;
        if (tag.length() <= MAX && safe.equals(sessionId)) {
            return tag;
        }
        String digest = digest(sessionId).substring(0, 12);
        int room = MAX - head().length() - digest.length() - 1;
        return head() + safe.substring(0, Math.min(safe.length(), Math.max(0, room))) + "-" + digest;
    }

    /** True when {@code tag} was written by this deployment. */
    public boolean ours(String tag) {
        return tag != null && tag.startsWith(head()) && tag.length() > head().length();
    }

    /** True when {@code tag} is any broker deployment's (an instance some broker owns, ours or not). */
    public boolean isBrokerTag(String tag) {
        return tag != null && tag.startsWith(prefix + "-");
    }

    /** The session id in one of our tags (exact unless the id had to be shortened when tagging). */
    public Optional<String> sessionOf(String tag) {
        return ours(tag) ? Optional.of(tag.substring(head().length())) : Optional.empty();
    }

    private static String digest(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
