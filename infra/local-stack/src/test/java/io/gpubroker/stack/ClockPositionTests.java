package io.gpubroker.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restarted stack resumes the broker clock at or after its saved position, at any scale. */
class ClockPositionTests {
    @TempDir
    Path dir;

    @Test
    void aFirstStartRunsFromTheWallClock() {
        long wall = System.currentTimeMillis();
        ClockPosition.Clock c = new ClockPosition(dir.resolve("clock.json")).resume(60, wall);
        assertThat(c.epoch()).isEqualTo(Instant.ofEpochMilli(wall));
        assertThat(c.origin()).isEqualTo(Instant.ofEpochMilli(wall));
        assertThat(c.at(wall + 1_000)).isEqualTo(Instant.ofEpochMilli(wall).plusSeconds(60));
    }

    @Test
    void aRestartAfterAFastRunResumesAtTheSavedPositionAtTheNewScale() throws Exception {
        ClockPosition file = new ClockPosition(dir.resolve("clock.json"));
        long wall = System.currentTimeMillis();
        // a 60x stack that ran for 5 real minutes is 5 broker-hours ahead of the wall clock
        ClockPosition.Clock fast =
                new ClockPosition.Clock(Instant.ofEpochMilli(wall - 300_000), Instant.ofEpochMilli(wall - 300_000), 60);
        file.save(fast, true);
        Instant saved = file.saved().orElseThrow().position();
        assertThat(saved).isAfter(Instant.now().plus(Duration.ofHours(4)));

        long restart = System.currentTimeMillis() + 5_000;
        ClockPosition.Clock slow = file.resume(1, restart);
        assertThat(slow.at(restart)).isEqualTo(saved);
        assertThat(slow.at(restart + 1_000)).isEqualTo(saved.plusSeconds(1));
        ClockPosition.Clock fastAgain = file.resume(60, restart);
        assertThat(fastAgain.at(restart + 1_000)).isEqualTo(saved.plusSeconds(60));
    }

    @Test
    void afterACrashTheClockResumesOneSaveIntervalPastTheLastSave() {
        ClockPosition file = new ClockPosition(dir.resolve("clock.json"));
        long wall = System.currentTimeMillis();
        ClockPosition.Clock fast =
                new ClockPosition.Clock(Instant.ofEpochMilli(wall - 60_000), Instant.ofEpochMilli(wall - 60_000), 60);
        file.save(fast, false);
        Instant saved = file.saved().orElseThrow().position();
        long restart = System.currentTimeMillis();
        assertThat(file.resume(60, restart).at(restart))
                .isEqualTo(saved.plusMillis(ClockPosition.SAVE_EVERY.toMillis() * 60));
    }

    @Test
    void aSavedPositionBehindTheWallClockIsNotUsedAndFreshResets() throws Exception {
        ClockPosition file = new ClockPosition(dir.resolve("clock.json"));
        long wall = System.currentTimeMillis();
        file.save(
                new ClockPosition.Clock(Instant.ofEpochMilli(wall), Instant.ofEpochMilli(wall - 86_400_000L), 1), true);
        assertThat(file.resume(1, wall).at(wall)).isEqualTo(Instant.ofEpochMilli(wall));

        file.save(
                new ClockPosition.Clock(Instant.ofEpochMilli(wall), Instant.ofEpochMilli(wall + 86_400_000L), 1), true);
        file.reset();
        assertThat(Files.exists(dir.resolve("clock.json"))).isFalse();
        assertThat(file.resume(1, wall).origin()).isEqualTo(Instant.ofEpochMilli(wall));
    }

    @Test
    void anUnreadablePositionFallsBackToTheWallClock() throws Exception {
        Files.writeString(dir.resolve("clock.json"), "{not json");
        long wall = System.currentTimeMillis();
        assertThat(new ClockPosition(dir.resolve("clock.json")).resume(60, wall).origin())
                .isEqualTo(Instant.ofEpochMilli(wall));
    }
}
