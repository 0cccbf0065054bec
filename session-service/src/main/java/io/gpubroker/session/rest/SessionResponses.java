package io.gpubroker.session.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;

/** The response bodies of {@code /sessions} other than the session itself ({@link SessionView}). */
public final class SessionResponses {
    private SessionResponses() {}

    /** {@code 201} of a create: the private key and the agent token appear here and nowhere else. */
    public record Created(
            @JsonProperty("session") SessionView session,
            @JsonProperty("ssh_private_key") String sshPrivateKey,
            @JsonProperty("agent_token") String agentToken) {
        @Override
        public String toString() {
            return "Created[" + session.id() + "]";
        }
    }

    /** A create repeated with the same Idempotency-Key: the session, without its secrets. */
    public record Replay(
            @JsonProperty("session") SessionView session,
            @JsonProperty("idempotent_replay") boolean idempotentReplay,
            @JsonProperty("note") String note) {}

    public record Listing(
            @JsonProperty("sessions") List<SessionView> sessions,
            @JsonProperty("count") int count) {}

    /** One offer an auto-retry chain tried. */
    public record Attempt(
            @JsonProperty("attempt") int attempt,
            @JsonProperty("offer_id") String offerId,
            @JsonProperty("provider") String provider,
            @JsonProperty("outcome") String outcome,
            @JsonProperty("detail") String detail,
            @JsonProperty("at") String at) {}

    /** {@code GET /sessions/{id}}: the session's fields with its attempts after them. */
    @JsonPropertyOrder({"session", "attempts"})
    public record Detail(
            @JsonUnwrapped SessionView session,
            @JsonProperty("attempts") List<Attempt> attempts) {}

    /** The answer to done and delete. */
    public record Ending(
            @JsonProperty("message") String message,
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("status") String status) {}

    public record Extended(
            @JsonProperty("message") String message,
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("new_expires_at") String newExpiresAt) {}

    public record HeartbeatAck(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("status") String status,
            @JsonProperty("expires_at") String expiresAt) {}

    /** {@code GET /sessions/{id}/diagnostics} of a running session; absent values are {@code null}, not left out. */
    public record Diagnostics(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("status") String status,
            @JsonProperty("provider") String provider,
            @JsonProperty("gpu_type") String gpuType,
            @JsonProperty("gpu_count") int gpuCount,
            @JsonProperty("ssh_host") String sshHost,
            @JsonProperty("ssh_port") Integer sshPort,
            @JsonProperty("ssh_user") String sshUser,
            @JsonProperty("launch_mode") String launchMode,
            @JsonProperty("api_endpoint") String apiEndpoint,
            @JsonProperty("created_at") String createdAt,
            @JsonProperty("expires_at") String expiresAt,
            @JsonProperty("uptime") String uptime,
            @JsonProperty("time_to_expiry") String timeToExpiry,
            @JsonProperty("ssh_available") boolean sshAvailable,
            @JsonProperty("gpu_util_pct") Integer gpuUtilPct,
            @JsonProperty("last_activity_at") String lastActivityAt,
            @JsonProperty("idle_warning") boolean idleWarning,
            @JsonProperty("note") String note) {}
}
