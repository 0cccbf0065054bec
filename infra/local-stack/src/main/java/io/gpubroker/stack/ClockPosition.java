package io.gpubroker.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The broker clock's position, kept in the profile's folder ({@code clock.json}) so a restarted
 * stack resumes its fast clock instead of starting it again from the wall clock: stored
 * timestamps (leases, "commanded at") must never lie in the future of a restarted stack. The
 * launcher saves it every {@link #SAVE_EVERY} and once more after every process has stopped.
 */
final class ClockPosition {
    static final Duration SAVE_EVERY = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The clock every process computes: {@code origin + (wall - epoch) * scale}
     * ({@code broker.clock.epoch}, {@code broker.clock.origin}, {@code broker.clock.scale}).
     */
    record Clock(Instant epoch, Instant origin, double scale) {
        Instant at(long wallMillis) {
            long elapsed = wallMillis - epoch.toEpochMilli();
            return origin.plusMillis(scale == 1.0 ? elapsed : (long) (elapsed * scale));
        }

        Instant now() {
            return at(System.currentTimeMillis());
        }
    }

    private final Path file;

    ClockPosition(Path file) {
        this.file = file;
    }

    /**
     * A clock starting now at max(saved position, wall clock), at any {@code scale}. After a crash
     * (no clean save) the clock may have run up to one save interval past the saved position, at
     * the scale it then had, so that much is added.
     */
    Clock resume(double scale, long wallMillis) {
        Instant wall = Instant.ofEpochMilli(wallMillis);
        Instant origin = saved().map(s ->
                        s.clean() ? s.position() : s.position().plusMillis((long) (SAVE_EVERY.toMillis() * s.scale())))
                .filter(p -> p.isAfter(wall))
                .orElse(wall);
        return new Clock(wall, origin, scale);
    }

    record Saved(Instant position, double scale, boolean clean) {}

    java.util.Optional<Saved> saved() {
        if (!Files.exists(file)) {
            return java.util.Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return java.util.Optional.of(new Saved(
                    Instant.parse(n.path("position").asText()),
                    n.path("scale").asDouble(1),
                    n.path("clean").asBoolean(false)));
        } catch (IOException | RuntimeException e) {
            // an unreadable position must not stop the stack; the wall clock is then the floor
            System.err.println("ignoring unreadable clock position " + file + ": " + e.getMessage());
            return java.util.Optional.empty();
        }
    }

    /** Writes the clock's current position; {@code clean} once no process of the stack runs any more. */
    void save(Clock clock, boolean clean) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", clock.now().toString());
        m.put("scale", clock.scale());
        m.put("clean", clean);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), m);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void reset() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
