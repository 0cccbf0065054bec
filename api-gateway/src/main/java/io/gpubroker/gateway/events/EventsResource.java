package io.gpubroker.gateway.events;

import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.gpubroker.kit.rest.RequestIds;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/**
 * {@code GET /api/v1/events}: the caller's session, cost and budget events as Server-Sent Events,
 * live from Kafka. A consumer key sees only its own consumer's events; the admin key sees all, or
 * one consumer's with {@code ?consumer_id=}; {@code ?session_id=} narrows to one session.
 * {@code Last-Event-ID} (or {@code ?last_event_id=} for clients that cannot set headers) resumes
 * after that event on any replica. Refusals (401, 403, 400, 429, 503) keep the JSON error shape;
 * Kafka failing once the stream started is one {@code event: error} frame with that same JSON.
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
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(
            @Context UriInfo uri,
            @HeaderParam("Last-Event-ID") String lastEventIdHeader,
            @Context HttpServerResponse response,
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
        String owner = own != null ? "consumer:" + own : "admin";
        EventStreams.Stream stream =
                streams.reserve(owner, new EventFilter(consumer, sessionId), resume, call.requestId());
        // the status line and headers leave as soon as this returns, before Kafka is asked: set them now.
        // Nothing may sit on the stream: proxies (nginx) buffer unless told, caches must not keep it
        response.putHeader("Cache-Control", "no-cache");
        response.putHeader("X-Accel-Buffering", "no");
        response.putHeader(RequestIds.HEADER, call.requestId());
        return stream.events(sse);
    }
}
