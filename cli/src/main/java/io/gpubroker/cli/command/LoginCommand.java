package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.CliException;
import io.gpubroker.cli.ExitCodes;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.config.CliConfig;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gpu login}: checks a URL and API key against the broker, then stores them (0600). The key
 * comes from --api-key, GPU_BROKER_API_KEY, a hidden prompt on a terminal, or one line on stdin.
 */
@Command(
        name = "login",
        mixinStandardHelpOptions = true,
        description = {
            "Stores the broker URL and your API key in ~/.config/gpubroker/config (0600) after checking them.",
            "The key: --api-key, GPU_BROKER_API_KEY, a prompt on a terminal, or one line on stdin."
        })
public final class LoginCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Option(names = "--no-verify", description = "store without asking the broker first")
    boolean noVerify;

    @Override
    public Integer call() throws IOException {
        CliConfig config = cli.config();
        CliConfig.Settings s = cli.settings();
        String key =
                s.keySource() != null && !s.keySource().equals(config.file().toString()) ? s.apiKey() : readKey();
        if (key == null || key.isBlank()) {
            throw new CliException(
                    ExitCodes.USAGE, "no API key given", "gpu login --api-key KEY (or type it when asked)");
        }
        key = key.strip();
        String who = "";
        if (!noVerify) {
            // the month's summary answers for any valid key and names the key's consumer
            JsonNode summary = new BrokerApi(s.url(), key).get("/api/v1/costs/summary");
            String consumer = summary.path("consumer_id").asText("");
            who = consumer.isEmpty() ? " (operator key: all consumers)" : " as consumer " + consumer;
        }
        config.save(new CliConfig.Stored(s.url(), key));
        cli.out().println("logged in to " + s.url() + who + "; settings saved to " + config.file() + " (0600)");
        return 0;
    }

    private String readKey() throws IOException {
        Console console = System.console();
        if (cli.tty() && console != null) {
            char[] typed =
                    console.readPassword("API key for %s: ", cli.settings().url());
            return typed == null ? null : new String(typed);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return in.readLine();
    }
}
