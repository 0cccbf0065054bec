package io.gpubroker.cli.command;

import io.gpubroker.cli.GpuCli;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code gpu done SESSION}: the work is finished; the broker destroys the instance and billing stops. */
@Command(
        name = "done",
        mixinStandardHelpOptions = true,
        description = "Ends a session: the broker destroys the instance; billing stops once the provider confirms.")
public final class DoneCommand implements Callable<Integer> {
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
        return EndCommand.end(cli, session, false, waitStopped, timeout, pollMillis);
    }
}
