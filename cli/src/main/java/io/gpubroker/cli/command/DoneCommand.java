package io.gpubroker.cli.command;

import io.gpubroker.cli.GpuCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code gpu done SESSION}: the work is finished; the broker destroys the instance and billing stops. */
@Command(
        name = "done",
        mixinStandardHelpOptions = true,
        description = "Ends a session: the broker destroys the instance; billing stops once the provider confirms.")
public final class DoneCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Mixin
    EndOptions end;

    @Override
    public Integer call() {
        return EndCommand.end(cli, end.session, false, end.waitStopped, end.timeout, end.pollMillis);
    }
}
