package io.gpubroker.session.domain;

/**
 * How the user reaches the instance: {@code ssh} (a shell) or {@code entrypoint} (the broker starts
 * the image and waits for its API). Constant names are the stored and JSON values.
 */
public enum LaunchMode {
    ssh,
    entrypoint;

    /** The value as the API, the database and provider-gateway spell it; null stays null. */
    public static String wire(LaunchMode m) {
        return m == null ? null : m.name();
    }
}
