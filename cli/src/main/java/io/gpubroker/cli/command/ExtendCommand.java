package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.format.Fmt;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code gpu extend SESSION HOURS}: moves the reservation's end (the broker caps a session at 12 h). */
@Command(name = "extend", mixinStandardHelpOptions = true, description = "Extends a session's reservation by HOURS.")
public final class ExtendCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Parameters(index = "0", paramLabel = "SESSION")
    String session;

    @Parameters(index = "1", paramLabel = "HOURS")
    int hours;

    @Override
    public Integer call() {
        JsonNode r = cli.api()
                .post("/api/v1/sessions/" + BrokerApi.seg(session) + "/extend", Map.of("additional_hours", hours));
        Instant until = Fmt.instant(r.path("new_expires_at"));
        cli.out()
                .println(r.path("message").asText("extended") + ": " + session + " now ends "
                        + Fmt.time(r.path("new_expires_at"), cli.zone())
                        + (until == null
                                ? ""
                                : " (in "
                                        + Fmt.span(Duration.between(cli.clock().instant(), until)) + ")"));
        return 0;
    }
}
