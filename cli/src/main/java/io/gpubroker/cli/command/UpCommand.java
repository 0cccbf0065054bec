package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.CliException;
import io.gpubroker.cli.ExitCodes;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.ApiException;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.config.CliConfig;
import io.gpubroker.cli.format.Fmt;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gpu up}: opens a session on the given offer or on the best bookable match of the filters,
 * stores the private key 0600, follows the session to running with live progress and prints how to
 * log in. A stale offer (503) is explained; with {@code --retry} the next comparable offer is tried.
 */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = {
            "Opens a session and waits until it runs: on OFFER_ID, or on the best bookable offer matching the"
                    + " filters (best value first).",
            "The private key is stored at ~/.config/gpubroker/keys/<session> (0600) and never printed unless"
                    + " --show-key."
        })
public final class UpCommand implements Callable<Integer> {
    @ParentCommand
    GpuCli cli;

    @Parameters(
            arity = "0..1",
            paramLabel = "OFFER_ID",
            description = "the offer (see gpu offers); else the filters pick one")
    String offerId;

    @Mixin
    OfferFilters filters;

    @Option(
            names = "--hours",
            defaultValue = "1",
            description = "reservation in hours, 1-12 (default ${DEFAULT-VALUE})")
    int hours;

    @Option(names = "--workload", defaultValue = "batch", description = "workload type (default ${DEFAULT-VALUE})")
    String workload;

    @Option(names = "--idle-minutes", paramLabel = "N", description = "stop after N idle minutes (0 = never)")
    Integer idleMinutes;

    @Option(names = "--disk", paramLabel = "GB", description = "disk size in GB")
    Integer diskGb;

    @Option(names = "--image", description = "run this Docker image's entrypoint instead of a shell (entrypoint mode)")
    String image;

    @Option(names = "--model", description = "model id for the image (e.g. Qwen/Qwen3-8B)")
    String model;

    @Option(names = "--port", paramLabel = "PORT", description = "port the app serves (entrypoint mode; repeatable)")
    List<Integer> ports;

    @Option(
            names = "--retry",
            arity = "0..1",
            fallbackValue = "3",
            paramLabel = "N",
            description = "on a stale offer (503) try up to N next comparable offers (same GPU type and count; N=3"
                    + " when given without a value)")
    int retries;

    @Option(names = "--show-key", description = "also print the private key (it is stored either way)")
    boolean showKey;

    @Option(names = "--no-wait", description = "return once the session is created")
    boolean noWait;

    @Option(
            names = "--timeout",
            defaultValue = "15m",
            converter = DurationConverter.class,
            description = "how long to wait for running (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--poll", defaultValue = "1000", hidden = true)
    long pollMillis;

    @Override
    public Integer call() {
        if (hours < 1 || hours > 12) {
            throw new CliException(ExitCodes.USAGE, "--hours must be 1 to 12 (the broker's hard maximum is 12 h)");
        }
        BrokerApi api = cli.api();
        PrintWriter out = cli.out();
        List<JsonNode> candidates = candidates(api);
        Set<String> tried = new HashSet<>();
        JsonNode created = null;
        JsonNode offer = null;
        for (int attempt = 0; created == null; attempt++) {
            offer = next(candidates, tried);
            if (offer == null) {
                throw new CliException(
                        ExitCodes.UNAVAILABLE,
                        "no comparable offer left to try (" + tried.size() + " tried)",
                        "list what is bookable with: gpu offers --bookable");
            }
            tried.add(offer.path("id").asText());
            try {
                created = api.post("/api/v1/sessions", body(offer.path("id").asText()));
            } catch (ApiException e) {
                if (!e.staleInventory()) {
                    throw e;
                }
                out.println("offer " + offer.path("id").asText() + " on "
                        + offer.path("provider").asText()
                        + " is no longer available (the provider withdrew it or it went stale; request_id "
                        + e.requestId() + ")");
                if (attempt >= retries) {
                    throw new CliException(
                            ExitCodes.UNAVAILABLE,
                            "offer unavailable due to stale inventory: "
                                    + e.body().path("message").asText(e.getMessage()),
                            retries == 0
                                    ? "pick another (gpu offers --bookable) or add --retry to try the next comparable offer"
                                    : "tried " + tried.size() + " offers; see gpu offers --bookable");
                }
                out.println("trying the next comparable offer (" + (attempt + 1) + "/" + retries + ") ...");
            }
        }
        JsonNode session = created.path("session");
        String id = session.path("id").asText();
        CliConfig config = cli.config();
        String pem = created.path("ssh_private_key").asText("");
        Path keyFile = pem.isEmpty() ? null : config.storeKey(id, pem);
        out.println(String.format(
                "session %s on %s %s x%d at $%s/h for %d h (offer %s)",
                id,
                session.path("provider").asText(),
                session.path("gpu_type").asText(),
                session.path("gpu_count").asInt(),
                Fmt.money(session.path("price_per_hour")),
                hours,
                offer.path("id").asText()));
        out.println(
                keyFile == null
                        ? "the broker returned no private key (an idempotent replay?): gpu ssh needs the key from the first create"
                        : "private key saved to " + keyFile + " (0600)");
        if (showKey && !pem.isEmpty()) {
            out.print(pem.endsWith("\n") ? pem : pem + "\n");
        }
        if (noWait) {
            out.println("follow it with: gpu watch " + id);
            return 0;
        }
        JsonNode last = new SessionWaiter(cli, api).until(id, Set.of("running"), timeout, pollMillis);
        if (!last.path("status").asText().equals("running")) {
            config.forgetKey(id);
            throw new CliException(
                    ExitCodes.SESSION_FAILED,
                    "session " + id + " " + last.path("status").asText() + " before it was running: "
                            + SessionWaiter.explain(SessionWaiter.phase(last), last),
                    "nothing bills for it; try another offer (gpu offers --bookable) or gpu up --retry");
        }
        printLogin(out, last, keyFile);
        return 0;
    }

    private void printLogin(PrintWriter out, JsonNode s, Path keyFile) {
        String id = s.path("id").asText();
        out.println("log in:  gpu ssh " + id);
        if (keyFile != null) {
            out.println("     or: ssh -i " + keyFile + " -p "
                    + s.path("ssh_port").asText() + " " + s.path("ssh_user").asText("root") + "@"
                    + s.path("ssh_host").asText());
        }
        if (s.hasNonNull("api_endpoint")) {
            out.println("app:     " + s.path("api_endpoint").asText());
        }
        java.time.Instant expires = Fmt.instant(s.path("expires_at"));
        out.println("ends:    " + Fmt.time(s.path("expires_at"), cli.zone())
                + (expires == null
                        ? ""
                        : " (in " + Fmt.span(Duration.between(cli.clock().instant(), expires)) + ")")
                + "; gpu extend " + id + " HOURS / gpu done " + id);
    }

    private Map<String, Object> body(String offer) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("offer_id", offer);
        b.put("workload_type", workload);
        b.put("reservation_hours", hours);
        if (idleMinutes != null) {
            b.put("idle_threshold_minutes", idleMinutes);
        }
        if (diskGb != null) {
            b.put("disk_gb", diskGb);
        }
        if (image != null) {
            b.put("launch_mode", "entrypoint");
            b.put("docker_image", image);
            if (model != null) {
                b.put("model_id", model);
            }
            if (ports != null && !ports.isEmpty()) {
                b.put("exposed_ports", ports);
            }
        }
        return b;
    }

    /** The offers to try in order: the given one then comparable ones, or the bookable matches of the filters. */
    private List<JsonNode> candidates(BrokerApi api) {
        List<JsonNode> list = new ArrayList<>();
        Map<String, Object> q = new LinkedHashMap<>();
        if (offerId != null) {
            JsonNode given = api.get("/api/v1/inventory/" + BrokerApi.seg(offerId));
            list.add(given);
            if (retries == 0) {
                return list;
            }
            filters.addTo(q);
            q.put("gpu_type", given.path("gpu_type").asText());
            q.put("min_gpu_count", given.path("gpu_count").asInt());
        } else {
            filters.addTo(q);
        }
        q.put("limit", 200);
        for (JsonNode o : api.get("/api/v1/inventory" + BrokerApi.query(q)).path("offers")) {
            if (OffersCommand.bookable(o)) {
                list.add(o);
            }
        }
        if (list.isEmpty()) {
            throw new CliException(
                    ExitCodes.NOT_FOUND,
                    "no bookable offer matches" + (filters.any() ? " the filters" : ""),
                    "see gpu offers (the catalog fills within a minute of ./broker up)");
        }
        return list;
    }

    /** The first untried candidate comparable to the first one (same GPU type and count). */
    private static JsonNode next(List<JsonNode> candidates, Set<String> tried) {
        JsonNode first = candidates.get(0);
        for (JsonNode o : candidates) {
            if (tried.contains(o.path("id").asText())) {
                continue;
            }
            boolean comparable = o == first
                    || (o.path("gpu_type")
                                    .asText()
                                    .equals(first.path("gpu_type").asText())
                            && o.path("gpu_count").asInt()
                                    == first.path("gpu_count").asInt());
            if (comparable) {
                return o;
            }
        }
        return null;
    }
}
