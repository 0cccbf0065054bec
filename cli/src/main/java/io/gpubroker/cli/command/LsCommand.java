package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.format.Fmt;
import io.gpubroker.cli.format.Table;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code gpu ls}: your sessions, newest first; live ones only unless {@code --all}. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists your sessions (live ones unless --all).")
public final class LsCommand implements Callable<Integer> {
    private static final List<String> LIVE = List.of("pending", "provisioning", "running", "stopping");

    @ParentCommand
    GpuCli cli;

    @Option(
            names = {"-a", "--all"},
            description = "also stopped and failed sessions")
    boolean all;

    @Option(
            names = "--status",
            description = "only this status (pending, provisioning, running, stopping, stopped, failed)")
    String status;

    @Option(names = "--provider")
    String provider;

    @Option(names = "--limit", defaultValue = "50", description = "at most this many (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "the API's JSON")
    boolean json;

    @Override
    public Integer call() {
        JsonNode r = cli.api()
                .get("/api/v1/sessions" + BrokerApi.query(BrokerApi.params("status", status, "provider", provider)));
        List<JsonNode> sessions = new ArrayList<>();
        for (JsonNode s : r.path("sessions")) {
            if (all || status != null || LIVE.contains(s.path("status").asText())) {
                sessions.add(s);
            }
        }
        sessions.sort(Comparator.comparing((JsonNode s) -> s.path("created_at").asText())
                .reversed());
        if (sessions.size() > limit) {
            sessions = sessions.subList(0, limit);
        }
        if (json) {
            cli.out().println(BrokerApi.JSON.valueToTree(sessions).toPrettyString());
            return 0;
        }
        if (sessions.isEmpty()) {
            cli.out().println(all ? "no sessions" : "no live sessions (gpu ls --all shows ended ones)");
            return 0;
        }
        cli.out().print(table(sessions).render());
        return 0;
    }

    Table table(List<JsonNode> sessions) {
        Instant now = cli.clock().instant();
        Table t = new Table()
                .col("SESSION")
                .col("STATUS")
                .col("PROVIDER")
                .col("GPU")
                .num("N")
                .num("$/H")
                .col("CREATED")
                .num("ENDS IN")
                .col("KEY");
        for (JsonNode s : sessions) {
            Instant expires = Fmt.instant(s.path("expires_at"));
            boolean live = LIVE.contains(s.path("status").asText())
                    && !s.path("status").asText().equals("stopping");
            t.row(
                    s.path("id").asText(),
                    SessionWaiter.phase(s),
                    Fmt.text(s.path("provider")),
                    Fmt.text(s.path("gpu_type")),
                    s.path("gpu_count").asInt(),
                    Fmt.money(s.path("price_per_hour")),
                    Fmt.time(s.path("created_at"), cli.zone()),
                    live && expires != null ? Fmt.span(Duration.between(now, expires)) : "-",
                    Files.exists(cli.config().keyFile(s.path("id").asText())) ? "yes" : "-");
        }
        return t;
    }
}
