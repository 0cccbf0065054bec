package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.CliException;
import io.gpubroker.cli.ExitCodes;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.ApiException;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.format.Fmt;
import io.gpubroker.cli.ssh.RemoteCommand;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gpu smoke}: the operator's end-to-end check of one provider through the broker — cheapest
 * bookable offer, a session on it, SSH with the returned key, destroy, confirmed gone — refused
 * before anything is created when the worst case could exceed the spending cap. Needs the admin key:
 * the run gets its own consumer with the cap as its budget, so its cost is visible and bounded twice.
 */
@Command(
        name = "smoke",
        mixinStandardHelpOptions = true,
        description = {
            "Operator check of one provider (admin key): offers -> cheapest bookable offer -> session -> SSH ->"
                    + " destroy -> confirmed gone, each step with its time and the money spent.",
            "Runs against whatever the broker's provider-gateway is configured with (a real provider or a"
                    + " simulator). Refused before anything is created when price x hours exceeds --max-spend."
        })
public final class SmokeCommand implements Callable<Integer> {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @ParentCommand
    GpuCli cli;

    @Mixin
    OfferFilters filters;

    @Option(
            names = "--max-spend",
            required = true,
            paramLabel = "USD",
            description = "the most this check may cost: refused when the cheapest offer's price x --hours is higher")
    BigDecimal maxSpend;

    @Option(
            names = "--hours",
            defaultValue = "1",
            description =
                    "reservation in hours (the broker ends the session by then at the latest; default ${DEFAULT-VALUE})")
    int hours;

    @Option(
            names = "--command",
            defaultValue = "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader",
            description = "what to run over SSH (default: ${DEFAULT-VALUE})")
    String command;

    @Option(
            names = "--timeout",
            defaultValue = "15m",
            converter = DurationConverter.class,
            description = "how long to wait for running and for the confirmed destroy (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--poll", defaultValue = "1000", hidden = true)
    long pollMillis;

    private Instant start;
    private PrintWriter out;

    @Override
    public Integer call() {
        if (filters.provider == null || filters.provider.isBlank()) {
            throw new CliException(
                    ExitCodes.USAGE, "--provider is required (vastai, tensordock, rackrr, barrack, trooper)");
        }
        if (maxSpend.signum() <= 0) {
            throw new CliException(ExitCodes.USAGE, "--max-spend must be a positive amount of USD");
        }
        if (hours < 1 || hours > 12) {
            throw new CliException(ExitCodes.USAGE, "--hours must be 1 to 12 (the broker's hard maximum is 12 h)");
        }
        out = cli.out();
        start = cli.clock().instant();
        BrokerApi admin = cli.api();
        String provider = filters.provider;
        out.println("smoke check of " + provider + " through " + admin.baseUrl() + ", cap $" + Fmt.money(maxSpend)
                + ", " + hours + " h reservation");

        List<JsonNode> offers = bookable(admin);
        if (offers.isEmpty()) {
            step("offers", "no bookable offer on " + provider + " matches");
            throw new CliException(ExitCodes.UNAVAILABLE, "smoke check failed: no bookable offer on " + provider);
        }
        JsonNode cheapest = offers.get(0);
        BigDecimal worst = worstCase(cheapest);
        step(
                "offers",
                offers.size() + " bookable on " + provider + "; cheapest " + describe(cheapest) + ", worst case $"
                        + Fmt.money(worst) + " for " + hours + " h");
        if (worst.compareTo(maxSpend) > 0) {
            step(
                    "refused",
                    "worst case $" + Fmt.money(worst) + " exceeds the cap $" + Fmt.money(maxSpend)
                            + ": nothing was created");
            throw new CliException(
                    ExitCodes.REFUSED,
                    "smoke check refused: the cheapest offer could cost $" + Fmt.money(worst) + " > --max-spend $"
                            + Fmt.money(maxSpend),
                    "raise --max-spend, lower --hours or narrow the filters (--max-price)");
        }

        String consumerId = "smoke-" + provider + "-" + STAMP.format(start);
        JsonNode consumer = admin.post("/api/v1/consumers", Map.of("consumer_id", consumerId));
        admin.put(
                "/api/v1/consumers/" + BrokerApi.seg(consumerId) + "/budget",
                Map.of("monthly_limit", maxSpend, "currency", "USD"));
        BrokerApi api = new BrokerApi(admin.baseUrl(), consumer.path("api_key").asText());
        step("consumer", consumerId + " with a budget of $" + Fmt.money(maxSpend) + " (the broker stops it there too)");

        JsonNode created = create(api, offers, worst);
        JsonNode session = created.path("session");
        String id = session.path("id").asText();
        String key = created.path("ssh_private_key").asText("");
        boolean ended = false;
        try {
            step(
                    "create",
                    "session " + id + " on " + session.path("offer_id").asText() + " ("
                            + session.path("status").asText() + ")");
            JsonNode s = await(api, id, Set.of("running"));
            if (!s.path("status").asText().equals("running")) {
                step(
                        s.path("status").asText(),
                        SessionWaiter.explain(s.path("status").asText(), s));
                ended = true;
                throw new CliException(
                        ExitCodes.SESSION_FAILED,
                        "smoke check failed: the session did not run: "
                                + s.path("failure_reason")
                                        .asText(s.path("stop_reason").asText("")));
            }
            step(
                    "running",
                    "SSH verified by the broker at " + s.path("ssh_user").asText() + "@"
                            + s.path("ssh_host").asText() + ":"
                            + s.path("ssh_port").asText());
            String output = ssh(s, key);
            step("ssh", "'" + command + "' -> " + firstLine(output));
            api.post("/api/v1/sessions/" + BrokerApi.seg(id) + "/done", null);
            step("done", "destroy requested");
            JsonNode gone = await(api, id, Set.of("stopped"));
            ended = true;
            if (!gone.path("status").asText().equals("stopped")) {
                throw new CliException(
                        ExitCodes.FAILURE,
                        "smoke check failed: the session ended "
                                + gone.path("status").asText() + ": "
                                + gone.path("failure_reason").asText(""));
            }
            step(
                    "stopped",
                    "the provider confirmed the instance gone ("
                            + gone.path("stop_reason").asText("done") + ")");
            BigDecimal spent = spent(api, id);
            step("cost", "$" + Fmt.money(spent) + " in the ledger for this session");
            out.println("smoke check of " + provider + " passed in " + Fmt.elapsed(elapsed()) + "; spent $"
                    + Fmt.money(spent) + " of $" + Fmt.money(maxSpend));
            out.flush();
            return ExitCodes.OK;
        } finally {
            if (!ended) {
                cleanUp(api, id);
            }
        }
    }

    /** Bookable offers of the provider matching the filters, cheapest first (ties: most reliable). */
    private List<JsonNode> bookable(BrokerApi api) {
        Map<String, Object> q = new LinkedHashMap<>();
        filters.addTo(q);
        q.put("limit", 1000);
        JsonNode r = api.get("/api/v1/inventory" + BrokerApi.query(q));
        List<JsonNode> offers = new ArrayList<>();
        r.path("offers").forEach(o -> {
            if (OffersCommand.bookable(o) && o.path("price_per_hour").isNumber()) {
                offers.add(o);
            }
        });
        offers.sort(
                Comparator.comparing((JsonNode o) -> o.path("price_per_hour").decimalValue())
                        .thenComparing(o -> -o.path("reliability").asDouble(0)));
        return offers;
    }

    /** Creates the session on the cheapest offer, moving on (within the cap) when an offer went stale. */
    private JsonNode create(BrokerApi api, List<JsonNode> offers, BigDecimal firstWorst) {
        for (int i = 0; i < Math.min(3, offers.size()); i++) {
            JsonNode offer = offers.get(i);
            if (i > 0 && worstCase(offer).compareTo(maxSpend) > 0) {
                break;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("offer_id", offer.path("id").asText());
            body.put("workload_type", "batch");
            body.put("reservation_hours", hours);
            // the check is of this provider: no move to another offer behind its back
            body.put("auto_retry", false);
            try {
                return api.post("/api/v1/sessions", body);
            } catch (ApiException e) {
                if (!e.staleInventory()) {
                    throw e;
                }
                step("stale", describe(offer) + " was withdrawn (request_id " + e.requestId() + "); next cheapest");
            }
        }
        throw new CliException(ExitCodes.UNAVAILABLE, "smoke check failed: every affordable offer went stale");
    }

    private JsonNode await(BrokerApi api, String id, Set<String> targets) {
        Instant until = cli.clock().instant().plus(timeout);
        while (true) {
            JsonNode s = api.get("/api/v1/sessions/" + BrokerApi.seg(id));
            String status = s.path("status").asText("");
            if (targets.contains(status) || status.equals("failed") || status.equals("stopped")) {
                return s;
            }
            if (cli.clock().instant().isAfter(until)) {
                throw new CliException(
                        ExitCodes.FAILURE,
                        "smoke check failed: session " + id + " still " + status + " after " + Fmt.span(timeout));
            }
            cli.pause(pollMillis);
        }
    }

    private String ssh(JsonNode s, String key) {
        if (key.isEmpty()) {
            throw new CliException(ExitCodes.FAILURE, "smoke check failed: the create returned no private key");
        }
        try {
            return RemoteCommand.run(
                    s.path("ssh_host").asText(),
                    s.path("ssh_port").asInt(),
                    s.path("ssh_user").asText("root"),
                    key,
                    command,
                    Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new CliException(
                    ExitCodes.FAILURE, "smoke check failed: SSH with the session's key: " + e.getMessage());
        }
    }

    /** The ledger's total for the session, read once billing has applied the stop (it may lag a moment). */
    private BigDecimal spent(BrokerApi api, String id) {
        BigDecimal last = BigDecimal.ZERO;
        for (int i = 0; i < 10; i++) {
            JsonNode c = api.get("/api/v1/costs" + BrokerApi.query(BrokerApi.params("session_id", id)));
            last = c.path("total_cost").decimalValue();
            if (c.hasNonNull("ended_at")) {
                return last;
            }
            cli.pause(pollMillis);
        }
        return last;
    }

    /** A check that fails half way still ends its session: nothing it started keeps billing. */
    private void cleanUp(BrokerApi api, String id) {
        try {
            api.delete("/api/v1/sessions/" + BrokerApi.seg(id));
            JsonNode s = await(api, id, Set.of("stopped"));
            step("cleanup", "session " + id + " " + s.path("status").asText() + " after the failed check");
        } catch (RuntimeException e) {
            cli.err()
                    .println("smoke: could not end session " + id + ": " + e.getMessage() + " -- end it with: gpu rm "
                            + id);
        }
    }

    private BigDecimal worstCase(JsonNode offer) {
        return offer.path("price_per_hour")
                .decimalValue()
                .multiply(BigDecimal.valueOf(hours))
                .setScale(4, RoundingMode.UP);
    }

    private static String describe(JsonNode o) {
        return o.path("id").asText() + " (" + o.path("gpu_count").asInt() + "x "
                + o.path("gpu_type").asText() + ", $" + Fmt.money(o.path("price_per_hour")) + "/h)";
    }

    private static String firstLine(String text) {
        String t = text == null ? "" : text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " ...";
    }

    private Duration elapsed() {
        return Duration.between(start, cli.clock().instant());
    }

    private void step(String name, String detail) {
        out.println(String.format("[%8s] %-9s %s", Fmt.elapsed(elapsed()), name, detail));
        out.flush();
    }
}
