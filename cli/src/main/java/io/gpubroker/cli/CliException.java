package io.gpubroker.cli;

/** A failure the CLI itself detects, with the exit code it ends with and an optional hint line. */
public final class CliException extends RuntimeException {
    private final int exitCode;
    private final String hint;

    public CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public CliException(int exitCode, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public int exitCode() {
        return exitCode;
    }

    public String hint() {
        return hint;
    }
}
