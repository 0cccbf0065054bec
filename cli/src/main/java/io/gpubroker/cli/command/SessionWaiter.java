package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.CliException;
import io.gpubroker.cli.ExitCodes;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.format.Fmt;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Polls a session and shows its progress: one line per phase with the elapsed time, and on a
 * terminal a live line that ticks between polls. The API's states are refined for the user: a
 * {@code provisioning} session whose host is known is {@code verifying} (the broker checks SSH).
 */
final class SessionWaiter {
    private final GpuCli cli;
    private final BrokerApi api;

    SessionWaiter(GpuCli cli, BrokerApi api) {
        this.cli = cli;
        this.api = api;
    }

    /** The user-facing phase of a session. */
    static String phase(JsonNode s) {
        String status = s.path("status").asText("");
        if (status.equals("provisioning") && s.path("ssh_port").isNumber()) {
            return "verifying";
        }
        return status;
    }

    static String explain(String phase, JsonNode s) {
        return switch (phase) {
            case "pending" -> "waiting for " + s.path("provider").asText("the provider") + " to take the order";
            case "provisioning" ->
                "creating the instance on " + s.path("provider").asText("the provider");
            case "verifying" ->
                "instance up at " + s.path("ssh_host").asText() + ":"
                        + s.path("ssh_port").asText() + ", the broker is verifying SSH";
            case "running" ->
                "SSH verified"
                        + (s.hasNonNull("api_endpoint")
                                ? ", app at " + s.path("api_endpoint").asText()
                                : "");
            case "stopping" -> "destroying the instance";
            case "stopped" ->
                "instance gone"
                        + (s.hasNonNull("stop_reason")
                                ? " (" + s.path("stop_reason").asText() + ")"
                                : "");
            case "failed" ->
                s.path("failure_reason").asText("failed")
                        + (s.hasNonNull("error_class")
                                ? " [" + s.path("error_class").asText() + "]"
                                : "");
            default -> "";
        };
    }

    /**
     * Polls until the session's status is one of {@code targets} (or failed / stopped), printing
     * progress; a wait longer than {@code timeout} is exit 1 with how to keep following.
     */
    JsonNode until(String id, Set<String> targets, Duration timeout, long pollMillis) {
        PrintWriter out = cli.out();
        Instant start = cli.clock().instant();
        String shown = null;
        while (true) {
            JsonNode s = api.get("/api/v1/sessions/" + BrokerApi.seg(id));
            String phase = phase(s);
            Duration elapsed = Duration.between(start, cli.clock().instant());
            if (!phase.equals(shown)) {
                clearLine(out);
                out.println(String.format("[%s] %-13s %s", Fmt.elapsed(elapsed), phase, explain(phase, s)));
                shown = phase;
            }
            String status = s.path("status").asText("");
            if (targets.contains(status) || status.equals("failed") || status.equals("stopped")) {
                out.flush();
                return s;
            }
            if (elapsed.compareTo(timeout) > 0) {
                clearLine(out);
                throw new CliException(
                        ExitCodes.FAILURE,
                        "session " + id + " is still " + phase + " after " + Fmt.span(timeout),
                        "it goes on without this command: gpu watch " + id + " / gpu show " + id);
            }
            if (cli.tty()) {
                out.print("\r\033[K  ... " + phase + " " + Fmt.elapsed(elapsed));
            }
            out.flush();
            cli.pause(pollMillis);
        }
    }

    private void clearLine(PrintWriter out) {
        if (cli.tty()) {
            out.print("\r\033[K");
        }
    }
}
