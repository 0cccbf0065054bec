package io.gpubroker.gateway.events;

import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.gpubroker.kit.rest.RequestIds;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /api/v1/events}: the caller's session, cost and budget events as Server-Sent Events,
 * live from Kafka. A consumer key sees only its own consumer's events; the admin key sees all, or
 * one consumer's with {@code ?consumer_id=}; {@code ?session_id=} narrows to one session.
 * {@code Last-Event-ID} (or {@code ?last_event_id=} for clients that cannot set headers) resumes
 * after that event on any replica. Errors before the stream starts keep the JSON error shape.
 */
@Path("/api/v1/events")
public class EventsResource {
    private final EventStreams streams;
    private final CallContext call;

    public EventsResource(EventStreams streams, CallContext call) {
        this.streams = streams;
        this.call = call;
    }

    @GET
    @Blocking
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(
            @Context UriInfo uri,
            @HeaderParam("Last-Event-ID") String lastEventIdHeader,
            @Context HttpServerResponse response,
            @Context SseEventSink sink,
            @Context Sse sse) {
        var q = uri.getQueryParameters();
        String sessionId = Ids.require(q.getFirst("session_id"), "session_id");
        String asked = Ids.require(q.getFirst("consumer_id"), "consumer_id");
        String own = call.ownConsumer();
        if (own != null && asked != null && !asked.equals(own)) {
            throw new ApiException(
                    403, "this API key belongs to consumer " + own + " and cannot read events of " + asked);
        }
        String consumer = own != null ? own : asked;
        String lastEventId = lastEventIdHeader != null ? lastEventIdHeader : q.getFirst("last_event_id");
        StreamPosition resume =
                lastEventId == null || lastEventId.isBlank() ? null : StreamPosition.parse(lastEventId.trim());
        EventStreams.Stream stream =
                streams.open(own != null ? "consumer:" + own : "admin", new EventFilter(consumer, sessionId), resume);
        // nothing may sit on the stream: proxies (nginx) buffer unless told, caches must not keep it
        response.putHeader("Cache-Control", "no-cache");
        response.putHeader("X-Accel-Buffering", "no");
        // response filters do not run on a stream: echo the request id here
        response.putHeader(RequestIds.HEADER, call.requestId());
        streams.start(stream, sink, sse);
    }
}
