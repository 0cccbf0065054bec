package io.gpubroker.kit.security;

import java.util.Locale;

/**
 * A secret a service needs: the config property it reads, the environment variable an operator
 * sets, and the shortest value accepted.
 */
public record Secret(String property, String variable, int minLength) {
    /** Secrets the broker generates itself (verification secret, admin key, internal token). */
    public static final int OWN_MIN_LENGTH = 32;
    /** A provider's API key: its format is the provider's, so only very short values are refused. */
    public static final int PROVIDER_MIN_LENGTH = 16;

    public static Secret own(String property, String variable) {
        return new Secret(property, variable, OWN_MIN_LENGTH);
    }

    /** {@code broker.providers.<name>.api-key}, env {@code BROKER_PROVIDERS_<NAME>_API_KEY}. */
    public static Secret providerKey(String provider) {
        return new Secret(
                "broker.providers." + provider + ".api-key",
                "BROKER_PROVIDERS_" + provider.toUpperCase(Locale.ROOT).replace('-', '_') + "_API_KEY",
                PROVIDER_MIN_LENGTH);
    }
}
