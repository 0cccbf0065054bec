package io.gpubroker.cli.events;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads a Server-Sent Events stream (the WHATWG format): {@code id:}, {@code event:},
 * {@code data:} (several lines joined by newlines) and {@code retry:} fields, a blank line ends an
 * event, lines starting with {@code :} are comments (heartbeats). The last id seen is kept for a
 * resume with {@code Last-Event-ID}.
 */
public final class SseParser {
    /** One dispatched event; {@code type} is "message" when the stream named none. */
    public record Event(String id, String type, String data) {}

    private String lastEventId;
    private Long retryMillis;

    public String lastEventId() {
        return lastEventId;
    }

    /** The reconnection delay the server asked for, or null. */
    public Long retryMillis() {
        return retryMillis;
    }

    /** Reads until the stream ends, handing every complete event to {@code sink}. */
    public void read(BufferedReader in, Consumer<Event> sink) throws IOException {
        String type = null;
        StringBuilder data = null;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    sink.accept(new Event(lastEventId, type == null ? "message" : type, data.toString()));
                }
                type = null;
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> type = value;
                case "data" ->
                    data = data == null
                            ? new StringBuilder(value)
                            : data.append('\n').append(value);
                case "id" -> {
                    if (!value.contains("\0")) {
                        lastEventId = value;
                    }
                }
                case "retry" -> {
                    if (value.matches("\\d{1,9}")) {
                        retryMillis = Long.parseLong(value);
                    }
                }
                default -> {
                    // unknown fields are ignored, as the format says
                }
            }
        }
    }
}
