package io.gpubroker.provider.adapter;

import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * One provider's settings under {@code broker.providers.<name>.*} (env {@code BROKER_PROVIDERS_<NAME>_*}):
 * base URL, API key (never logged: {@link #toString()} hides it), enabled flag, call policy and the
 * adapter's own options for the GUESSED parts of each API.
 */
public final class ProviderSettings {
    private final String name;
    private final Config config;

    public ProviderSettings(String name, Config config) {
        this.name = name;
        this.config = config;
    }

    public String name() {
        return name;
    }

    private String key(String option) {
        return "broker.providers." + name + "." + option;
    }

    public Optional<String> optional(String option) {
        return config.getOptionalValue(key(option), String.class).filter(s -> !s.isBlank());
    }

    public String option(String option, String def) {
        return optional(option).orElse(def);
    }

    public int intOption(String option, int def) {
        return optional(option).map(s -> Integer.parseInt(s.trim())).orElse(def);
    }

    public double doubleOption(String option, double def) {
        return optional(option).map(s -> Double.parseDouble(s.trim())).orElse(def);
    }

    public boolean boolOption(String option, boolean def) {
        return optional(option).map(s -> Boolean.parseBoolean(s.trim())).orElse(def);
    }

    public Duration duration(String option, Duration def) {
        return optional(option).map(ProviderSettings::parseDuration).orElse(def);
    }

    public boolean enabled() {
        return boolOption("enabled", false) && optional("base-url").isPresent();
    }

    public String baseUrl() {
        String u = optional("base-url").orElseThrow(() -> new IllegalStateException(key("base-url") + " is not set"));
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    /** The secret; only adapters put it into a header. */
    public String apiKey() {
        return option("api-key", "");
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m} or ISO-8601. */
    public static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase();
        if (s.startsWith("p")) {
            return Duration.parse(s.toUpperCase());
        }
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        char unit = s.charAt(s.length() - 1);
        if (Character.isDigit(unit)) {
            return Duration.ofSeconds(Long.parseLong(s));
        }
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("bad duration " + v);
        };
    }

    @Override
    public String toString() {
        return "ProviderSettings[" + name + ", enabled=" + enabled() + "]";
    }
}
