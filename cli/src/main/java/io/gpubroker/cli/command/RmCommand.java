package io.gpubroker.cli.command;

import io.gpubroker.cli.GpuCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code gpu rm SESSION}: force-destroys a session in any state (DELETE). */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Force-destroys a session, whatever its state.")
public final class RmCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Mixin
    EndOptions end;

    @Override
    public Integer call() {
        return EndCommand.end(cli, end.session, true, end.waitStopped, end.timeout, end.pollMillis);
    }
}
