package io.gpubroker.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.cli.GpuCli;
import io.gpubroker.cli.api.ApiException;
import io.gpubroker.cli.api.BrokerApi;
import io.gpubroker.cli.api.BrokerUnreachable;
import io.gpubroker.cli.events.SseParser;
import io.gpubroker.cli.format.Fmt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gpu watch [SESSION]}: follows your sessions (and their costs) live. It reads the
 * gateway's event stream ({@code GET /api/v1/events}, Server-Sent Events, resumed with
 * {@code Last-Event-ID} after a dropped connection); a broker without one (404) is polled instead
 * and every change of a session is printed.
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = {
            "Follows your sessions' events live (one session with SESSION).",
            "Uses the broker's event stream (/api/v1/events); polls /api/v1/sessions when the broker has none."
        })
public final class WatchCommand implements Callable<Integer> {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final Set<String> ENDED = Set.of("stopped", "failed");
    private static final Set<String> QUIET = Set.of(
            "session_id",
            "event_id",
            "id",
            "type",
            "event_type",
            "consumer_id",
            "occurred_at",
            "at",
            "timestamp",
            "version");

    @ParentCommand
    GpuCli cli;

    @Parameters(arity = "0..1", paramLabel = "SESSION")
    String session;

    @Option(
            names = "--interval",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "poll interval without an event stream (default ${DEFAULT-VALUE})")
    Duration interval;

    @Option(
            names = "--for",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "stop after this long (e.g. 10m); default: until Ctrl-C")
    Duration limit;

    @Option(names = "--until-ended", description = "with SESSION: stop once it is stopped or failed")
    boolean untilEnded;

    @Option(names = "--poll", description = "poll even if the broker has an event stream")
    boolean forcePoll;

    private Instant deadline;
    private boolean ended;

    @Override
    public Integer call() {
        BrokerApi api = cli.api();
        deadline = limit == null ? null : cli.clock().instant().plus(limit);
        if (!forcePoll && stream(api)) {
            return 0;
        }
        poll(api);
        return 0;
    }

    // ---- the event stream

    /** Follows the stream until the deadline or the session's end; false when the broker has no stream (404). */
    boolean stream(BrokerApi api) {
        SseParser parser = new SseParser();
        String path = "/api/v1/events" + BrokerApi.query(BrokerApi.params("session_id", session));
        long backoff = 1000;
        while (!over()) {
            InputStream body;
            try {
                body = api.openStream(path, parser.lastEventId());
            } catch (ApiException e) {
                if (e.status() == 404 && parser.lastEventId() == null) {
                    cli.err().println("(this broker has no event stream; polling every " + Fmt.span(interval) + ")");
                    cli.err().flush();
                    return false;
                }
                throw e;
            } catch (BrokerUnreachable e) {
                if (parser.lastEventId() == null) {
                    throw e;
                }
                cli.err().println("(connection lost; reconnecting)");
                cli.err().flush();
                cli.pause(backoff);
                backoff = Math.min(30_000, backoff * 2);
                continue;
            }
            backoff = 1000;
            Timer closer = closeAtDeadline(body);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                parser.read(in, e -> {
                    print(e);
                    if (ended) {
                        try {
                            body.close();
                        } catch (IOException ignored) {
                            // closing to stop reading
                        }
                    }
                });
            } catch (IOException e) {
                // dropped (or closed at the deadline): resume below from the last id
            } finally {
                if (closer != null) {
                    closer.cancel();
                }
            }
            if (!over()) {
                cli.pause(parser.retryMillis() != null ? parser.retryMillis() : 1000);
            }
        }
        return true;
    }

    private Timer closeAtDeadline(InputStream body) {
        if (deadline == null) {
            return null;
        }
        Timer t = new Timer("watch-deadline", true);
        long delay =
                Math.max(0, Duration.between(cli.clock().instant(), deadline).toMillis());
        t.schedule(
                new TimerTask() {
                    @Override
                    public void run() {
                        try {
                            body.close();
                        } catch (IOException ignored) {
                            // the reader sees the end
                        }
                    }
                },
                delay);
        return t;
    }

    void print(SseParser.Event e) {
        JsonNode data;
        try {
            data = BrokerApi.JSON.readTree(e.data());
        } catch (IOException ex) {
            data = BrokerApi.JSON.getNodeFactory().textNode(e.data());
        }
        JsonNode fields = data.path("payload").isObject() ? data.path("payload") : data;
        String type = !e.type().equals("message")
                ? e.type()
                : fields.path("type").asText(fields.path("event_type").asText("event"));
        String sid = fields.path("session_id").asText(data.path("session_id").asText("-"));
        if (session != null && !sid.equals("-") && !sid.equals(session)) {
            return;
        }
        Instant at = Fmt.instant(fields.path("occurred_at"));
        if (at == null) {
            at = Fmt.instant(data.path("occurred_at"));
        }
        String when = CLOCK.format((at != null ? at : cli.clock().instant()).atZone(cli.zone()));
        PrintWriter out = cli.out();
        out.println(String.format("%s  %-18s %s  %s", when, type, sid, details(fields)));
        out.flush();
        if (untilEnded && session != null && (type.equals("SessionStopped") || type.equals("SessionFailed"))) {
            ended = true;
        }
    }

    static String details(JsonNode fields) {
        if (!fields.isObject()) {
            return fields.asText();
        }
        StringJoiner j = new StringJoiner(" ");
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext() && n < 6; ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (QUIET.contains(f.getKey()) || v.isContainerNode() || v.isNull()) {
                continue;
            }
            String text = v.asText();
            j.add(f.getKey() + "=" + (text.length() > 40 ? text.substring(0, 37) + "..." : text));
            n++;
        }
        return j.toString();
    }

    // ---- polling

    void poll(BrokerApi api) {
        Map<String, String> seen = new HashMap<>();
        boolean first = true;
        while (!over()) {
            List<JsonNode> sessions = sessions(api);
            for (JsonNode s : sessions) {
                String id = s.path("id").asText();
                String phase = SessionWaiter.phase(s);
                String sig = phase + "|" + s.path("expires_at").asText();
                String before = seen.put(id, sig);
                if (sig.equals(before)) {
                    continue;
                }
                if (first && session == null && ENDED.contains(phase)) {
                    continue;
                }
                String was = before == null ? null : before.substring(0, before.indexOf('|'));
                String change = before == null
                        ? phase
                        : was.equals(phase)
                                ? phase + ", ends " + Fmt.time(s.path("expires_at"), cli.zone())
                                : was + " -> " + phase;
                cli.out()
                        .println(String.format(
                                "%s  %s  %-26s %s",
                                CLOCK.format(cli.clock().instant().atZone(cli.zone())),
                                id,
                                change,
                                SessionWaiter.explain(phase, s)));
            }
            cli.out().flush();
            first = false;
            if (untilEnded
                    && session != null
                    && !sessions.isEmpty()
                    && ENDED.contains(sessions.get(0).path("status").asText())) {
                return;
            }
            if (!over()) {
                cli.pause(interval.toMillis());
            }
        }
    }

    private List<JsonNode> sessions(BrokerApi api) {
        if (session != null) {
            return List.of(api.get("/api/v1/sessions/" + BrokerApi.seg(session)));
        }
        List<JsonNode> all = new java.util.ArrayList<>();
        api.get("/api/v1/sessions").path("sessions").forEach(all::add);
        all.sort(java.util.Comparator.comparing(
                (JsonNode s) -> s.path("created_at").asText()));
        return all;
    }

    private boolean over() {
        return ended || (deadline != null && !cli.clock().instant().isBefore(deadline));
    }
}
