package io.gpubroker.kit.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The broker clock's formula: origin + (wall - epoch) * scale. */
class BrokerClockTests {
    static final Instant EPOCH = Instant.parse("2026-12-03T08:00:00Z");

    @Test
    void atTheEpochTheClockReadsTheOriginAndThenRunsScaleTimesFaster() {
        Instant origin = Instant.parse("2026-12-05T10:00:00Z");
        long wall = EPOCH.toEpochMilli();
        assertThat(BrokerClock.Scaled.at(EPOCH, origin, 60, wall)).isEqualTo(origin);
        assertThat(BrokerClock.Scaled.at(EPOCH, origin, 60, wall + 1_000)).isEqualTo(origin.plusSeconds(60));
        assertThat(BrokerClock.Scaled.at(EPOCH, origin, 1, wall + 1_000)).isEqualTo(origin.plusSeconds(1));
        assertThat(BrokerClock.Scaled.at(EPOCH, origin, 0.5, wall + 1_000)).isEqualTo(origin.plusMillis(500));
    }

    @Test
    void withoutAnOriginTheEpochIsTheOriginAndScaleOneIsTheWallClock() {
        BrokerClock.Scaled c = new BrokerClock().clock(Optional.of(EPOCH.toString()), Optional.empty(), 1);
        long before = System.currentTimeMillis();
        long read = c.millis();
        assertThat(read).isBetween(before, System.currentTimeMillis());
        BrokerClock.Scaled legacy = new BrokerClock.Scaled(Instant.now().minusSeconds(3600), 60);
        assertThat(legacy.instant()).isAfter(Instant.now().plus(Duration.ofDays(1)));
    }

    @Test
    void aResumedClockStartsAtItsOriginNotAtTheWallClock() {
        Instant origin = Instant.now().plus(Duration.ofHours(5));
        BrokerClock.Scaled c =
                new BrokerClock().clock(Optional.of(Instant.now().toString()), Optional.of(origin.toString()), 60);
        Instant read = c.instant();
        assertThat(read).isAfterOrEqualTo(origin).isBefore(origin.plus(Duration.ofMinutes(10)));
        assertThat(c.realMillis(Duration.ofMinutes(1))).isEqualTo(1_000);
    }

    @Test
    void aScaleThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> new BrokerClock.Scaled(EPOCH, EPOCH, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BrokerClock.Scaled(EPOCH, EPOCH, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
