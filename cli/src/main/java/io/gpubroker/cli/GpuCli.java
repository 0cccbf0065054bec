package io.gpubroker.cli;

import io.gpubroker.cli.api.ApiException;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.api.BrokerUnreachable;
import io.gpubroker.cli.command.CostsCommand;
import io.gpubroker.cli.command.DiagCommand;
import io.gpubroker.cli.command.DoneCommand;
import io.gpubroker.cli.command.ExtendCommand;
import io.gpubroker.cli.command.LoginCommand;
import io.gpubroker.cli.command.LsCommand;
import io.gpubroker.cli.command.OffersCommand;
import io.gpubroker.cli.command.RmCommand;
import io.gpubroker.cli.command.ShowCommand;
import io.gpubroker.cli.command.SmokeCommand;
import io.gpubroker.cli.command.SshCommand;
import io.gpubroker.cli.command.UpCommand;
import io.gpubroker.cli.command.WatchCommand;
import io.gpubroker.cli.config.CliConfig;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code gpu}: the broker from a terminal. Holds the global options and what every subcommand shares. */
@Command(
        name = "gpu",
        mixinStandardHelpOptions = true,
        version = "gpu 0.1.0 (GPU Broker CLI)",
        description = {
            "GPU sessions on Vast.ai, TensorDock, Rackrr, Barrack and Trooper.ai through one broker.",
            "",
            "Settings: --url / --api-key, else GPU_BROKER_URL / GPU_BROKER_API_KEY, else the file written by"
                    + " 'gpu login' (~/.config/gpubroker/config, or $XDG_CONFIG_HOME/gpubroker/config);"
                    + " the URL defaults to " + CliConfig.DEFAULT_URL + "."
        },
        subcommands = {
            LoginCommand.class,
            OffersCommand.class,
            UpCommand.class,
            SshCommand.class,
            LsCommand.class,
            ShowCommand.class,
            ExtendCommand.class,
            DoneCommand.class,
            RmCommand.class,
            DiagCommand.class,
            CostsCommand.class,
            WatchCommand.class,
            SmokeCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:unexpected error (HTTP 5xx other than 503, local I/O, a wait that timed out)",
            "2:usage error, or the API refused the input (HTTP 400)",
            "3:no API key, or the key was refused (HTTP 401/403)",
            "4:not found: session, offer, matching offer or stored key (HTTP 404)",
            "5:refused now: budget (402), conflict (409), rate limit (429), session not running",
            "6:unavailable: stale offer or a service not ready (HTTP 503)",
            "7:gpu up: the session failed or stopped before it was running",
            "8:the broker did not answer (not running, wrong --url)"
        },
        footer = {
            "",
            "gpu ssh ends with ssh's own exit code once it runs ssh. Every API error prints the API's message"
                    + " and its request_id.",
            "Shell completion: source <(gpu completion)"
        })
public final class GpuCli implements Runnable {
    @Option(
            names = "--url",
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            description = "Broker API base URL (env GPU_BROKER_URL; default " + CliConfig.DEFAULT_URL + ")")
    String url;

    @Option(
            names = "--api-key",
            scope = ScopeType.INHERIT,
            paramLabel = "KEY",
            description = "API key (env GPU_BROKER_API_KEY; 'gpu login' stores one)")
    String apiKey;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final boolean tty;
    private final Clock clock;
    private final Pause pause;

    public GpuCli(Map<String, String> env, boolean tty, Clock clock, Pause pause) {
        this.env = env;
        this.tty = tty;
        this.clock = clock;
        this.pause = pause;
    }

    /** How a command waits between polls (tests pass one that does not sleep). */
    @FunctionalInterface
    public interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        CommandLine cl = commandLine(System.getenv(), tty, Clock.systemDefaultZone(), Thread::sleep);
        int code = cl.execute(args);
        // tables are written with print (no autoflush): flush before the JVM ends
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(code);
    }

    /** The configured command line: subcommands, completion, and errors turned into messages and exit codes. */
    public static CommandLine commandLine(Map<String, String> env, boolean tty, Clock clock, Pause pause) {
        CommandLine cl = new CommandLine(new GpuCli(env, tty, clock, pause));
        cl.addSubcommand("completion", new AutoComplete.GenerateCompletion());
        cl.getSubcommands()
                .get("completion")
                .getCommandSpec()
                .usageMessage()
                .description("Prints a bash/zsh completion script: source <(gpu completion)");
        cl.setExecutionExceptionHandler((ex, line, parsed) -> report(ex, line.getErr(), env));
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int report(Exception ex, PrintWriter err, Map<String, String> env) {
        if (ex instanceof ApiException a) {
            err.println("error: " + a.getMessage());
            String detail = a.body() == null ? "" : a.body().path("message").asText("");
            if (!detail.isEmpty() && !detail.equals(a.getMessage())) {
                err.println("  " + detail);
            }
            err.println(
                    "  (HTTP " + a.status() + ", request_id " + (a.requestId() == null ? "-" : a.requestId()) + ")");
            if (a.status() == 401) {
                err.println("  the API key was refused: run 'gpu login' or set GPU_BROKER_API_KEY");
            }
            err.flush();
            return ExitCodes.ofStatus(a.status());
        }
        if (ex instanceof BrokerUnreachable u) {
            err.println("error: " + u.getMessage());
            err.flush();
            return ExitCodes.UNREACHABLE;
        }
        if (ex instanceof CliException c) {
            err.println("error: " + c.getMessage());
            if (c.hint() != null) {
                err.println("  " + c.hint());
            }
            err.flush();
            return c.exitCode();
        }
        err.println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
        if (env.containsKey("GPU_DEBUG")) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    // ---- what subcommands share

    public CliConfig config() {
        return CliConfig.fromEnvironment(env);
    }

    public CliConfig.Settings settings() {
        return config().resolve(url, apiKey, env);
    }

    /** The API with the effective URL and key; no key is exit 3 with what to do. */
    public BrokerApi api() {
        CliConfig.Settings s = settings();
        if (s.apiKey() == null) {
            throw new CliException(
                    ExitCodes.AUTH,
                    "no API key",
                    "run 'gpu login' (the operator creates your key), or set GPU_BROKER_API_KEY / pass --api-key");
        }
        return new BrokerApi(s.url(), s.apiKey());
    }

    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    public Map<String, String> env() {
        return env;
    }

    public boolean tty() {
        return tty;
    }

    public Clock clock() {
        return clock;
    }

    public ZoneId zone() {
        return clock.getZone();
    }

    public void pause(long millis) {
        try {
            pause.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(130, "interrupted");
        }
    }
}
