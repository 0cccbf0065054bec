package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code gpu diag SESSION}: the broker's diagnostics of a running session (uptime, expiry, GPU use, idle warning). */
@Command(name = "diag", mixinStandardHelpOptions = true, description = "Diagnostics of a running session.")
public final class DiagCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Parameters(paramLabel = "SESSION")
    String session;

    @Option(names = "--json", description = "the API's JSON")
    boolean json;

    @Override
    public Integer call() {
        JsonNode d = cli.api().get("/api/v1/sessions/" + BrokerApi.seg(session) + "/diagnostics");
        cli.out().print(json ? d.toPrettyString() + "\n" : ShowCommand.fields(d, cli));
        return 0;
    }
}
