package io.gpubroker.gateway.events;

import io.gpubroker.contracts.Topics;
import io.gpubroker.kit.rest.ApiException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a stream stands in Kafka: for every partition of the streamed topics, the offset of the
 * next record it has not examined yet. It is the SSE event id, e.g. {@code s0-41.s1-7.c0-12.b2-0}
 * ({@code s} session.events, {@code c} cost.events, {@code b} budget.events): a stream resumed from
 * it, on any gateway replica, re-reads exactly the records after that event on every partition,
 * so the client sees no gap and nothing twice. Only positions, never data, so a forged id shows
 * nothing the caller's filter would not show anyway.
 */
public final class StreamPosition {
    /** The streamed topics and their one-letter codes in an id, in id order. */
    public static final Map<String, String> TOPIC_CODES =
            Map.of(Topics.SESSION_EVENTS, "s", Topics.COST_EVENTS, "c", Topics.BUDGET_EVENTS, "b");

    public static final List<String> TOPICS = List.of(Topics.SESSION_EVENTS, Topics.COST_EVENTS, Topics.BUDGET_EVENTS);

    private static final int MAX_ID_LENGTH = 4096;
    private static final Pattern ENTRY = Pattern.compile("([scb])(\\d{1,5})-(\\d{1,18})");
    private static final Comparator<TopicPartition> ORDER = Comparator.comparingInt(
                    (TopicPartition tp) -> TOPICS.indexOf(tp.topic()))
            .thenComparingInt(TopicPartition::partition);

    private final Map<TopicPartition, Long> next;

    private StreamPosition(Map<TopicPartition, Long> next) {
        this.next = next;
    }

    public static StreamPosition of(Map<TopicPartition, Long> next) {
        return new StreamPosition(new HashMap<>(next));
    }

    /** Parses a {@code Last-Event-ID}; anything else than an id this gateway minted is a 400. */
    public static StreamPosition parse(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw invalid();
        }
        Map<TopicPartition, Long> next = new HashMap<>();
        for (String part : id.split("\\.", -1)) {
            Matcher m = ENTRY.matcher(part);
            if (!m.matches()) {
                throw invalid();
            }
            String topic = topicOf(m.group(1));
            if (next.put(new TopicPartition(topic, Integer.parseInt(m.group(2))), Long.parseLong(m.group(3))) != null) {
                throw invalid();
            }
        }
        return new StreamPosition(next);
    }

    private static ApiException invalid() {
        return ApiException.badRequest("invalid Last-Event-ID: use the id of an event this stream sent");
    }

    private static String topicOf(String code) {
        return TOPIC_CODES.entrySet().stream()
                .filter(e -> e.getValue().equals(code))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(StreamPosition::invalid);
    }

    /** The next offset to read on {@code tp}, or null when the id did not name it. */
    public Long next(TopicPartition tp) {
        return next.get(tp);
    }

    /** Record {@code offset} of {@code tp} has been examined (sent or filtered out). */
    public void examined(TopicPartition tp, long offset) {
        next.put(tp, offset + 1);
    }

    public Map<TopicPartition, Long> asMap() {
        return Map.copyOf(next);
    }

    /** The SSE id of this position. */
    public String encode() {
        StringBuilder b = new StringBuilder();
        next.keySet().stream().sorted(ORDER).forEach(tp -> {
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(TOPIC_CODES.get(tp.topic()))
                    .append(tp.partition())
                    .append('-')
                    .append(next.get(tp));
        });
        return b.toString();
    }

    @Override
    public String toString() {
        return encode();
    }
}
