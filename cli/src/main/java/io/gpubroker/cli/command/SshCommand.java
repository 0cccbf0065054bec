package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.CliException;
import io.gpubroker.cli.ExitCodes;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.config.CliConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gpu ssh SESSION [-- cmd]}: runs the system's {@code ssh} with the key {@code gpu up}
 * stored. Host keys are pinned per session (its own known_hosts file): simulated and cloud
 * instances reuse addresses, so one global file would either refuse a new instance or trust blindly.
 */
@Command(
        name = "ssh",
        mixinStandardHelpOptions = true,
        description =
                "Logs into a running session with its stored key (ssh must be installed); after -- a command to run.")
public final class SshCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Parameters(index = "0", paramLabel = "SESSION")
    String session;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "the remote command (put it after --)")
    List<String> command;

    @Option(names = "--print", description = "print the ssh command instead of running it")
    boolean print;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BrokerApi api = cli.api();
        JsonNode s = api.get("/api/v1/sessions/" + BrokerApi.seg(session));
        String status = s.path("status").asText();
        if (!status.equals("running")) {
            throw new CliException(
                    ExitCodes.REFUSED,
                    "session " + session + " is " + SessionWaiter.phase(s) + ", not running",
                    status.equals("pending") || status.equals("provisioning")
                            ? "wait for it: gpu watch " + session
                            : "open a new one: gpu up");
        }
        CliConfig config = cli.config();
        Path key = config.keyFile(session);
        if (!Files.exists(key)) {
            throw new CliException(
                    ExitCodes.NOT_FOUND,
                    "no stored key for " + session + " (looked for " + key + ")",
                    "the key is returned once, to the 'gpu up' that created the session, and stored on that machine");
        }
        List<String> argv = argv(s, key, config.knownHosts(session), command);
        if (print) {
            cli.out()
                    .println(String.join(
                            " ", argv.stream().map(SshCommand::quote).toList()));
            return 0;
        }
        cli.out().flush();
        Process p;
        try {
            p = new ProcessBuilder(argv).inheritIO().start();
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.FAILURE,
                    "cannot run ssh: " + e.getMessage(),
                    "install an OpenSSH client (e.g. openssh-client)");
        }
        return p.waitFor();
    }

    static List<String> argv(JsonNode s, Path key, Path knownHosts, List<String> command) {
        List<String> a = new ArrayList<>(List.of(
                "ssh",
                "-i",
                key.toString(),
                "-p",
                s.path("ssh_port").asText(),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-o",
                "UserKnownHostsFile=" + knownHosts,
                "-o",
                "LogLevel=ERROR",
                s.path("ssh_user").asText("root") + "@" + s.path("ssh_host").asText()));
        if (command != null && !command.isEmpty()) {
            a.add("--");
            a.addAll(command);
        }
        return a;
    }

    private static String quote(String arg) {
        return arg.matches("[A-Za-z0-9_./:=@%+,-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
