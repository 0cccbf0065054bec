package io.gpubroker.session.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The response records write the same JSON the hand-built maps wrote (field names, order, nulls, number scale). */
class SessionResponsesTests {

    /** Like the Quarkus mapper: ISO dates, nulls written. */
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    static Session session() {
        Session s = new Session();
        s.id = "sess-1";
        s.consumerId = "team";
        s.offer.offerId = "vastai-1";
        s.offer.provider = "vastai";
        s.offer.gpuType = "RTX 4090";
        s.offer.gpuCount = 1;
        s.offer.pricePerHour = new BigDecimal("0.4500");
        s.offer.currency = "USD";
        s.status = SessionStatus.pending;
        s.terms.workloadType = "batch";
        s.terms.reservationHours = 2;
        s.terms.diskGb = 50;
        s.terms.launchMode = LaunchMode.ssh;
        s.lease.createdAt = Instant.parse("2026-01-29T12:00:00.123456Z");
        s.lease.expiresAt = Instant.parse("2026-01-29T14:00:00Z");
        s.lease.hardMaxAt = Instant.parse("2026-01-30T00:00:00Z");
        return s;
    }

    @Test
    void theDetailIsTheSessionViewWithItsAttemptsAfterIt() throws Exception {
        SessionView view = SessionView.of(session());
        // the shape GET /sessions/{id} had when it was built as a map
        @SuppressWarnings("unchecked")
        Map<String, Object> old = new LinkedHashMap<>(EventCatalog.mapper().convertValue(view, Map.class));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("attempt", 0);
        a.put("offer_id", "vastai-1");
        a.put("provider", "vastai");
        a.put("outcome", "requested");
        a.put("detail", null);
        a.put("at", "2026-01-29T12:00Z");
        old.put("attempts", List.of(a));

        SessionResponses.Detail now = new SessionResponses.Detail(
                view,
                List.of(new SessionResponses.Attempt(0, "vastai-1", "vastai", "requested", null, "2026-01-29T12:00Z")));
        assertThat(JSON.writeValueAsString(now)).isEqualTo(JSON.writeValueAsString(old));
        assertThat(JSON.writeValueAsString(now))
                .contains("\"price_per_hour\":0.4500")
                .contains("\"detail\":null")
                .doesNotContain("ssh_host");
    }
}
