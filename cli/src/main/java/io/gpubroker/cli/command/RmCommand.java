package io.gpubroker.cli.command;

import io.gpubroker.cli.GpuCli;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code gpu rm SESSION}: force-destroys a session in any state (DELETE). */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Force-destroys a session, whatever its state.")
public final class RmCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

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

    @Override
    public Integer call() {
        return EndCommand.end(cli, session, true, waitStopped, timeout, pollMillis);
    }
}
