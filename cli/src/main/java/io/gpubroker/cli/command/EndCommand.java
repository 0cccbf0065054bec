package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import java.time.Duration;
import java.util.Set;

/** What {@code done} and {@code rm} share: send the ending, optionally wait for {@code stopped}, then drop the key. */
final class EndCommand {
    private EndCommand() {}

    static int end(GpuCli cli, String session, boolean destroy, boolean wait, Duration timeout, long pollMillis) {
        BrokerApi api = cli.api();
        String path = "/api/v1/sessions/" + BrokerApi.seg(session);
        JsonNode r = destroy ? api.delete(path) : api.post(path + "/done", null);
        cli.out()
                .println(r.path("message").asText(destroy ? "session destroyed" : "session shutdown initiated") + ": "
                        + session);
        if (!wait) {
            cli.out()
                    .println("the instance is destroyed in the background; gpu show " + session
                            + " tells when it is stopped");
            return 0;
        }
        new SessionWaiter(cli, api).until(session, Set.of("stopped", "failed"), timeout, pollMillis);
        if (cli.config().forgetKey(session)) {
            cli.out().println("stored key removed");
        }
        cli.out()
                .println("cost: gpu costs --session " + session + " (final once billing has the stop, within seconds)");
        return 0;
    }
}
