package io.gpubroker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.cli.events.SseParser;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gpu watch: the SSE reader, the resume with Last-Event-ID, and the polling fallback when there is no stream. */
class WatchTests {
    @TempDir
    Path home;

    @Test
    void theParserJoinsDataLinesSkipsCommentsAndKeepsTheLastId() throws Exception {
        String stream = ": heartbeat\n\nid: 7\nevent: SessionStarted\ndata: {\"a\":1,\ndata: \"b\":2}\n\n"
                + "retry: 2500\ndata:plain\n\nid: 8\n: only a comment\n\n";
        List<SseParser.Event> events = new ArrayList<>();
        SseParser p = new SseParser();
        p.read(new BufferedReader(new StringReader(stream)), events::add);
        assertThat(events)
                .containsExactly(
                        new SseParser.Event("7", "SessionStarted", "{\"a\":1,\n\"b\":2}"),
                        new SseParser.Event("7", "message", "plain"));
        assertThat(p.lastEventId()).isEqualTo("8");
        assertThat(p.retryMillis()).isEqualTo(2500);
    }

    @Test
    void watchFollowsTheEventStreamAndResumesFromTheLastIdAfterADrop() throws Exception {
        AtomicInteger connects = new AtomicInteger();
        try (FakeApi api = new FakeApi()
                .answer(
                        "GET /api/v1/events",
                        x -> connects.getAndIncrement() == 0
                                ? new FakeApi.Answer(200, "text/event-stream", """
                        : connected

                        id: session.events-0-41
                        event: SessionProvisioning
                        data: {"session_id":"sess-1","provider":"rackrr","occurred_at":"2026-07-01T12:00:01Z"}

                        id: session.events-0-42
                        event: SessionStarted
                        data: {"session_id":"sess-1","ssh_port":40022,"occurred_at":"2026-07-01T12:00:05Z"}

                        """)
                                : new FakeApi.Answer(200, "text/event-stream", """
                        id: session.events-0-43
                        event: SessionStopped
                        data: {"session_id":"sess-1","stop_reason":"user_done","occurred_at":"2026-07-01T12:01:00Z"}

                        """))) {
            Run r = Run.gpu(
                    home,
                    Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"),
                    "watch",
                    "sess-1",
                    "--until-ended");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().split("\n"))
                    .containsExactly(
                            "12:00:01  SessionProvisioning sess-1  provider=rackrr",
                            "12:00:05  SessionStarted     sess-1  ssh_port=40022",
                            "12:01:00  SessionStopped     sess-1  stop_reason=user_done");
            assertThat(api.seen)
                    .containsExactly("GET /api/v1/events?session_id=sess-1", "GET /api/v1/events?session_id=sess-1");
            assertThat(api.headers.get(0)).doesNotContainKey("Last-event-id");
            assertThat(api.headers.get(1).get("Last-event-id")).containsExactly("session.events-0-42");
            assertThat(api.headers.get(1).get("Accept")).containsExactly("text/event-stream");
        }
    }

    @Test
    void withoutAnEventStreamWatchPollsTheSessionAndPrintsEachChange() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        List<String> states = List.of(
                SessionCommandsTests.session("provisioning", false),
                SessionCommandsTests.session("provisioning", false),
                SessionCommandsTests.session("provisioning", true),
                SessionCommandsTests.session("running", true),
                SessionCommandsTests.session("stopping", true),
                SessionCommandsTests.session("stopped", false));
        try (FakeApi api = new FakeApi()
                .json("GET /api/v1/events", 404, "{\"error\":\"not found\",\"request_id\":\"r\"}")
                .answer(
                        "GET /api/v1/sessions/sess-1",
                        x -> new FakeApi.Answer(
                                200,
                                "application/json",
                                states.get(Math.min(polls.getAndIncrement(), states.size() - 1))))) {
            Run r = Run.gpu(
                    home,
                    Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"),
                    "watch",
                    "sess-1",
                    "--until-ended",
                    "--interval",
                    "2s");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("no event stream; polling every 2s");
            assertThat(r.out().split("\n"))
                    .containsExactly(
                            "12:00:00  sess-1  provisioning               creating the instance on rackrr",
                            "12:00:04  sess-1  provisioning -> verifying  instance up at 127.0.0.1:40022, the broker is"
                                    + " verifying SSH",
                            "12:00:06  sess-1  verifying -> running       SSH verified",
                            "12:00:08  sess-1  running -> stopping        destroying the instance",
                            "12:00:10  sess-1  stopping -> stopped        instance gone");
        }
    }
}
