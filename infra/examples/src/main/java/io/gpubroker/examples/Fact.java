package io.gpubroker.examples;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * The facts this subscriber cares about, read from the JSON payloads documented in
 * {@code infra/contracts/src/main/resources/schemas}. Only the fields it prints are declared and
 * unknown ones are ignored: the broker only adds fields, so this keeps working as events grow.
 */
public sealed interface Fact {

    String sessionId();

    String consumerId();

    /** What to print after the session id. */
    String describe();

    /** session.events {@code SessionRequested}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Requested(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("provider") String provider,
            @JsonProperty("gpu_type") String gpuType,
            @JsonProperty("gpu_count") int gpuCount,
            @JsonProperty("price_per_hour") BigDecimal pricePerHour,
            @JsonProperty("currency") String currency,
            @JsonProperty("reservation_hours") int reservationHours)
            implements Fact {
        @Override
        public String describe() {
            return provider + " " + gpuCount + "x " + gpuType + " at " + pricePerHour.toPlainString() + " " + currency
                    + "/h for " + reservationHours + " h";
        }
    }

    /** session.events {@code SessionProvisioning}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Provisioning(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("instance_id") String instanceId)
            implements Fact {
        @Override
        public String describe() {
            return instanceId == null ? "instance requested" : "instance " + instanceId;
        }
    }

    /** session.events {@code SessionStarted}: billing starts. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Started(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("instance_id") String instanceId,
            @JsonProperty("started_at") String startedAt)
            implements Fact {
        @Override
        public String describe() {
            return "SSH verified, billing from " + startedAt;
        }
    }

    /** session.events {@code SessionExtended}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Extended(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("additional_hours") int additionalHours,
            @JsonProperty("new_expires_at") String newExpiresAt)
            implements Fact {
        @Override
        public String describe() {
            return "+" + additionalHours + " h, until " + newExpiresAt;
        }
    }

    /** session.events {@code SessionStopping}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Stopping(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("reason") String reason)
            implements Fact {
        @Override
        public String describe() {
            return "reason " + reason;
        }
    }

    /** session.events {@code SessionStopped}: the provider confirmed the instance is gone, billing ends. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Stopped(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("reason") String reason,
            @JsonProperty("stopped_at") String stoppedAt)
            implements Fact {
        @Override
        public String describe() {
            return "reason " + reason + ", billing until " + stoppedAt;
        }
    }

    /** session.events {@code SessionFailed}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Failed(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("reason") String reason,
            @JsonProperty("error_class") String errorClass,
            @JsonProperty("started_at") String startedAt)
            implements Fact {
        @Override
        public String describe() {
            return reason + (errorClass == null ? "" : " (" + errorClass + ")");
        }
    }

    /** cost.events {@code CostAccrued}: the session's ledger grew; {@code final} = its exact total. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Cost(
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("amount") BigDecimal amount,
            @JsonProperty("session_total") BigDecimal sessionTotal,
            @JsonProperty("currency") String currency,
            @JsonProperty("accrued_until") String accruedUntil,
            @JsonProperty("final") boolean finalTotal)
            implements Fact {
        @Override
        public String describe() {
            return (finalTotal ? "final total " : "+" + amount.toPlainString() + ", total ")
                    + sessionTotal.toPlainString() + " " + currency + " (until " + accruedUntil + ")";
        }
    }
}
