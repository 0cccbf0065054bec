package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.format.Fmt;
import io.gpubroker.cli.format.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code gpu show SESSION}: every field of a session, its offers tried, and where its key is. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one session in detail.")
public final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Parameters(paramLabel = "SESSION")
    String session;

    @Option(names = "--json", description = "the API's JSON")
    boolean json;

    @Override
    public Integer call() {
        JsonNode s = cli.api().get("/api/v1/sessions/" + BrokerApi.seg(session));
        if (json) {
            cli.out().println(s.toPrettyString());
            return 0;
        }
        cli.out().print(fields(s, cli));
        Path key = cli.config().keyFile(session);
        cli.out().println(String.format("%-18s %s", "key", Files.exists(key) ? key : "not stored on this machine"));
        if (s.path("attempts").size() > 0) {
            Table t = new Table()
                    .num("#")
                    .col("OFFER")
                    .col("PROVIDER")
                    .col("OUTCOME")
                    .col("DETAIL");
            for (JsonNode a : s.path("attempts")) {
                t.row(
                        a.path("attempt").asInt(),
                        Fmt.text(a.path("offer_id")),
                        Fmt.text(a.path("provider")),
                        Fmt.text(a.path("outcome")),
                        Fmt.text(a.path("detail")));
            }
            cli.out().println();
            cli.out().print(t.render());
        }
        return 0;
    }

    /** One {@code name value} line per scalar field, timestamps in local time, the status refined into its phase. */
    static String fields(JsonNode s, GpuCli cli) {
        StringBuilder sb = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isContainerNode() || v.isNull()) {
                continue;
            }
            String value = e.getKey().endsWith("_at") ? Fmt.time(v, cli.zone()) : v.asText();
            if (e.getKey().equals("status")) {
                String phase = SessionWaiter.phase(s);
                value = phase.equals(value) ? value : value + " (" + phase + ")";
            }
            sb.append(String.format("%-18s %s%n", e.getKey(), value));
        }
        return sb.toString();
    }
}
