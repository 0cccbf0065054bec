package io.gpubroker.kit.security;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Decides whether a secret's value is usable: present, long enough, not a known default. */
public final class SecretRules {
    /** Values that were shipped as defaults or are typical placeholders. */
    private static final Set<String> KNOWN_DEFAULTS = Set.of(
            "local-development-verification-secret",
            "changeme",
            "change-me",
            "change_me",
            "secret",
            "password",
            "admin",
            "token",
            "test",
            "default",
            "postgres",
            "example");
    /** The simulators' built-in keys ({@code sim-vastai-key}) and test fixtures' placeholders. */
    private static final Pattern PLACEHOLDER =
            Pattern.compile("(sim-[a-z]+-key|.*changeme.*|.*change-me.*|test-.*-key.*)");

    private static final int MIN_DISTINCT_CHARS = 8;

    private SecretRules() {}

    /** Why {@code value} is not acceptable for {@code secret}, or empty when it is. */
    public static Optional<String> problem(Secret secret, Optional<String> value) {
        String v = value.map(String::trim).orElse("");
        if (v.isEmpty()) {
            return Optional.of(secret.variable() + " is not set (config " + secret.property() + ")");
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (KNOWN_DEFAULTS.contains(lower) || PLACEHOLDER.matcher(lower).matches()) {
            return Optional.of(secret.variable() + " is a known default or placeholder value; set a random one");
        }
        if (v.length() < secret.minLength()) {
            return Optional.of(secret.variable() + " is too short (" + v.length() + " characters, at least "
                    + secret.minLength() + " required)");
        }
        if (v.chars().distinct().count() < MIN_DISTINCT_CHARS) {
            return Optional.of(
                    secret.variable() + " is too simple (fewer than " + MIN_DISTINCT_CHARS + " distinct characters)");
        }
        return Optional.empty();
    }
}
