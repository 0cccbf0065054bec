package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** Reply: the provider did not confirm destruction; the instance may still bill, so the saga retries. */
public record TerminateFailed(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("instance_id") String instanceId,

        @JsonProperty(value = "error_class", required = true)
        String errorClass,

        @JsonProperty("message") String message,
        @JsonProperty(value = "failed_at", required = true) Instant failedAt)
        implements BrokerEvent {

    public TerminateFailed {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(errorClass, "error_class");
        Require.present(failedAt, "failed_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
