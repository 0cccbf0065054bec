package io.gpubroker.sim.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Numeric ids rise with the wall clock, so a restarted simulator does not reuse them. */
class RisingIdsTests {

    @Test
    void idsRiseEvenFasterThanTheClockAndASuccessorStartsAboveThem() {
        AtomicLong wall = new AtomicLong(RisingIds.ORIGIN_MILLIS + 86_400_000L);
        RisingIds before = new RisingIds(1000, 100, wall::get);
        Set<Long> seen = new HashSet<>();
        long last = 0;
        for (int i = 0; i < 50; i++) {
            long id = before.next();
            assertThat(id).isGreaterThan(last);
            assertThat(seen.add(id)).isTrue();
            last = id;
        }
        wall.addAndGet(10_000); // a restart 10 s later (50 ids in a burst ran 5 s ahead of the clock)
        RisingIds after = new RisingIds(1000, 100, wall::get);
        for (int i = 0; i < 50; i++) {
            assertThat(seen.add(after.next())).isTrue();
        }
    }

    @Test
    void idsAreNeverBelowTheConfiguredFirstAndFitAnInt() {
        RisingIds ids = new RisingIds(1000, 100, () -> 0);
        assertThat(ids.next()).isEqualTo(1000);
        assertThat(ids.next()).isEqualTo(1001);
        assertThat(new RisingIds(1000, 100).nextInt()).isPositive();
    }
}
