package io.gpubroker.cli;

/** The documented exit codes of {@code gpu} (also in {@code gpu --help} and cli/README.md). */
public final class ExitCodes {
    public static final int OK = 0;
    /** Anything else: an unexpected answer (HTTP 5xx other than 503), a local I/O error, a wait that timed out. */
    public static final int FAILURE = 1;
    /** Bad command line, or the API refused the input (HTTP 400). */
    public static final int USAGE = 2;
    /** No API key, or the key was refused (HTTP 401 / 403). */
    public static final int AUTH = 3;
    /** No such session / offer (HTTP 404), no offer matches, no stored key for the session. */
    public static final int NOT_FOUND = 4;
    /** Refused in the current state: budget (402), conflict (409), session limit, rate limit (429), session not running. */
    public static final int REFUSED = 5;
    /** Unavailable: stale offer or a service not ready (HTTP 503). */
    public static final int UNAVAILABLE = 6;
    /** {@code gpu up}: the session failed or stopped before it was running. */
    public static final int SESSION_FAILED = 7;
    /** The broker did not answer at all (not running, wrong URL). */
    public static final int UNREACHABLE = 8;

    private ExitCodes() {}

    /** The exit code of an API error status. */
    public static int ofStatus(int status) {
        return switch (status) {
            case 400, 413, 415, 422 -> USAGE;
            case 401, 403 -> AUTH;
            case 404 -> NOT_FOUND;
            case 402, 409, 429 -> REFUSED;
            case 503 -> UNAVAILABLE;
            default -> FAILURE;
        };
    }
}
