package io.gpubroker.sim.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The simulators' clock uses the broker's formula, origin + (wall - epoch) * scale. */
class SimClockTests {
    static final Instant EPOCH = Instant.parse("2026-12-03T08:00:00Z");

    @Test
    void atTheEpochTheClockReadsTheOriginAndThenRunsScaleTimesFaster() {
        Instant origin = Instant.parse("2026-12-05T10:00:00Z");
        SimClock c = new SimClock(EPOCH, origin, 60);
        assertThat(c.at(EPOCH.toEpochMilli())).isEqualTo(origin);
        assertThat(c.at(EPOCH.toEpochMilli() + 1_000)).isEqualTo(origin.plusSeconds(60));
        assertThat(new SimClock(EPOCH, origin, 1).at(EPOCH.toEpochMilli() + 1_000))
                .isEqualTo(origin.plusSeconds(1));
    }

    @Test
    void withoutAnOriginTheEpochIsTheOrigin() {
        SimClock c = new SimClock(EPOCH, 60);
        assertThat(c.at(EPOCH.toEpochMilli() + 2_000)).isEqualTo(EPOCH.plusSeconds(120));
    }

    @Test
    void aResumedClockReadsFromItsOriginAndAdvanceStillAddsSkew() {
        Instant origin = Instant.now().plus(Duration.ofHours(5));
        SimClock c = new SimClock(Instant.now(), origin, 60);
        assertThat(c.now()).isAfterOrEqualTo(origin).isBefore(origin.plus(Duration.ofMinutes(10)));
        c.advance(Duration.ofHours(1));
        assertThat(c.now()).isAfterOrEqualTo(origin.plus(Duration.ofHours(1)));
    }
}
