package io.gpubroker.cli.command;

import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code gpu done} and {@code gpu rm} both take: the session, and whether to wait for its end. */
public final class EndOptions {
    @Parameters(paramLabel = "SESSION")
    String session;

    @Option(names = "--wait", description = "wait until the session is stopped, then remove its stored key")
    boolean waitStopped;

    @Option(
            names = "--timeout",
            defaultValue = "5m",
            converter = DurationConverter.class,
            description = "with --wait (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--poll", defaultValue = "1000", hidden = true)
    long pollMillis;
}
