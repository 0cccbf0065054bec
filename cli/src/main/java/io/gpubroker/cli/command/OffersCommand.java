package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.format.Fmt;
import io.gpubroker.cli.format.Table;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gpu offers}: the catalog as an aligned table, sorted and paged. */
@Command(
        name = "offers",
        mixinStandardHelpOptions = true,
        description = {
            "Lists GPU offers from every provider as a table (or --json).",
            "Default order is best value (price per GPU-hour, then reliability), paged by the API;"
                    + " another --sort orders the first --scan matches here, then pages them."
        })
public final class OffersCommand implements Callable<Integer> {
    /** How {@code --sort} orders offers; VALUE is the API's own order. */
    public enum Sort {
        value,
        price,
        gpu_price,
        reliability,
        confidence,
        vram,
        age
    }

    @ParentCommand
    GpuCli cli;

    @Spec
    CommandSpec spec;

    @Mixin
    OfferFilters filters;

    @Option(
            names = "--sort",
            defaultValue = "value",
            description = "one of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Sort sort;

    @Option(names = "--limit", defaultValue = "20", description = "offers per page (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--page", defaultValue = "1", description = "page number, from 1")
    int page;

    @Option(
            names = "--scan",
            defaultValue = "2000",
            description = "offers read to sort by a field other than value (default ${DEFAULT-VALUE})")
    int scan;

    @Option(
            names = "--bookable",
            description = "only offers a session can be opened on now (hides unavailable, stale and suppressed ones)")
    boolean bookableOnly;

    @Option(names = "--json", description = "the API's JSON (same page, same order) for scripts")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1 || page < 1 || scan < 1) {
            throw new ParameterException(spec.commandLine(), "--limit, --page and --scan must be positive");
        }
        BrokerApi api = cli.api();
        Page p = fetch(api);
        if (json) {
            ObjectNode out = BrokerApi.JSON.createObjectNode();
            ArrayNode arr = out.putArray("offers");
            p.offers.forEach(arr::add);
            out.put("count", p.offers.size());
            out.put("total", p.total);
            out.put("page", page);
            out.put("limit", limit);
            cli.out().println(out.toPrettyString());
            return 0;
        }
        if (p.offers.isEmpty()) {
            cli.out()
                    .println(
                            p.total == 0
                                    ? "no offers match"
                                    : "no offers on page " + page + " (" + p.total + " match)");
            return 0;
        }
        cli.out().print(table(p.offers).render());
        int from = (page - 1) * limit + 1;
        int to = from + p.offers.size() - 1;
        long pages = Math.max(1, (p.total + limit - 1) / limit);
        String more = page < pages ? "; next: --page " + (page + 1) : "";
        cli.out()
                .println(String.format(
                        "offers %d-%d of %d%s (page %d/%d, sorted by %s%s)",
                        from,
                        to,
                        p.total,
                        p.hidden > 0 ? " (" + p.hidden + " not bookable hidden)" : "",
                        page,
                        pages,
                        sort.name().replace('_', '-'),
                        more));
        return 0;
    }

    record Page(List<JsonNode> offers, long total, int hidden) {}

    private Page fetch(BrokerApi api) {
        Map<String, Object> q = new LinkedHashMap<>();
        filters.addTo(q);
        if (sort == Sort.value && !bookableOnly) {
            q.put("limit", limit);
            q.put("offset", (long) (page - 1) * limit);
            JsonNode r = api.get("/api/v1/inventory" + BrokerApi.query(q));
            List<JsonNode> offers = new ArrayList<>();
            r.path("offers").forEach(offers::add);
            return new Page(offers, r.path("total").asLong(offers.size()), 0);
        }
        // filtering out what cannot be booked (or sorting by another field) needs the matches here first
        q.put("limit", scan);
        JsonNode r = api.get("/api/v1/inventory" + BrokerApi.query(q));
        List<JsonNode> offers = new ArrayList<>();
        int hidden = 0;
        for (JsonNode o : r.path("offers")) {
            if (!bookableOnly || bookable(o)) {
                offers.add(o);
            } else {
                hidden++;
            }
        }
        Comparator<JsonNode> c = comparator(sort);
        if (c != null) {
            offers.sort(c);
        }
        int from = Math.min(offers.size(), (page - 1) * limit);
        int to = Math.min(offers.size(), from + limit);
        return new Page(new ArrayList<>(offers.subList(from, to)), offers.size(), hidden);
    }

    /** An offer a session can be opened on now: available, fresh, not suppressed for repeated failures. */
    public static boolean bookable(JsonNode o) {
        return o.path("available").asBoolean(true)
                && !o.path("stale").asBoolean(false)
                && !o.path("suppressed").asBoolean(false);
    }

    static Comparator<JsonNode> comparator(Sort sort) {
        Comparator<JsonNode> byId = Comparator.comparing(o -> o.path("id").asText());
        return switch (sort) {
            case value -> null;
            case price ->
                Comparator.comparing((JsonNode o) -> o.path("price_per_hour").decimalValue())
                        .thenComparing(byId);
            case gpu_price -> Comparator.comparing(Fmt::perGpu).thenComparing(byId);
            case reliability ->
                Comparator.comparingDouble(
                                (JsonNode o) -> -o.path("reliability").asDouble(0))
                        .thenComparing(byId);
            case confidence ->
                Comparator.comparingDouble((JsonNode o) ->
                                -o.path("availability_confidence").asDouble(0))
                        .thenComparing(byId);
            case vram ->
                Comparator.comparingInt((JsonNode o) -> -o.path("vram_gb").asInt(0))
                        .thenComparing(byId);
            case age ->
                Comparator.comparingLong((JsonNode o) -> o.path("age_seconds").asLong(Long.MAX_VALUE))
                        .thenComparing(byId);
        };
    }

    /** The offers table; a NOTE column appears only when some offer is not bookable. */
    public static Table table(List<JsonNode> offers) {
        boolean notes = offers.stream().anyMatch(o -> !bookable(o));
        Table t = new Table()
                .col("ID")
                .col("PROVIDER")
                .col("GPU")
                .num("N")
                .num("VRAM")
                .num("$/H")
                .num("$/GPU-H")
                .col("LOCATION")
                .num("RELIAB")
                .num("CONF")
                .num("AGE");
        if (notes) {
            t.col("NOTE");
        }
        for (JsonNode o : offers) {
            List<Object> cells = new ArrayList<>(List.of(
                    Fmt.text(o.path("id")),
                    Fmt.text(o.path("provider")),
                    Fmt.text(o.path("gpu_type")),
                    o.path("gpu_count").asInt(),
                    o.path("vram_gb").asInt() + "G",
                    Fmt.money(o.path("price_per_hour")),
                    Fmt.money(Fmt.perGpu(o)),
                    Fmt.text(o.path("location")),
                    Fmt.score(o.path("reliability")),
                    Fmt.score(o.path("availability_confidence")),
                    o.has("age_seconds") ? Fmt.age(o.path("age_seconds").asLong()) : "-"));
            if (notes) {
                cells.add(note(o));
            }
            t.row(cells.toArray());
        }
        return t;
    }

    private static String note(JsonNode o) {
        List<String> n = new ArrayList<>();
        if (!o.path("available").asBoolean(true)) {
            n.add("unavailable");
        }
        if (o.path("stale").asBoolean(false)) {
            n.add("stale");
        }
        if (o.path("suppressed").asBoolean(false)) {
            n.add("suppressed");
        }
        return n.isEmpty() ? "" : String.join(",", n);
    }

    static BigDecimal price(JsonNode o) {
        return o.path("price_per_hour").decimalValue();
    }
}
