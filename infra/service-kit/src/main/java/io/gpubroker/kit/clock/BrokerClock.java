package io.gpubroker.kit.clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The stack's shared clock: {@code origin + (wall clock - epoch) * scale} from
 * {@code broker.clock.epoch} (the wall-clock instant the stack started), {@code broker.clock.origin}
 * (the broker time at that instant, default: the epoch) and {@code broker.clock.scale}, so a 60x demo
 * stack runs leases, timers and billing 60x faster while every process agrees on the time. The
 * launcher resumes the origin from the clock's saved position, so broker time never goes backwards
 * across a restart; with origin = epoch and scale 1 it is the wall clock.
 */
@ApplicationScoped
public class BrokerClock {

    /** A {@link Clock} at {@code origin} when the wall clock reads {@code epoch}, running {@code scale} times faster. */
    public static final class Scaled extends Clock {
        private final Instant epoch;
        private final Instant origin;
        private final double scale;

        public Scaled(Instant epoch, double scale) {
            this(epoch, epoch, scale);
        }

        public Scaled(Instant epoch, Instant origin, double scale) {
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("broker.clock.scale must be > 0");
            }
            this.epoch = epoch;
            this.origin = origin;
            this.scale = scale;
        }

        /** Broker time at wall-clock {@code wallMillis}: the one formula every process of the stack uses. */
        public static Instant at(Instant epoch, Instant origin, double scale, long wallMillis) {
            long elapsed = wallMillis - epoch.toEpochMilli();
            return origin.plusMillis(scale == 1.0 ? elapsed : (long) (elapsed * scale));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return at(epoch, origin, scale, System.currentTimeMillis());
        }

        public double scale() {
            return scale;
        }

        /** Real milliseconds for a simulated duration (timers). */
        public long realMillis(java.time.Duration simulated) {
            return Math.max(1L, (long) (simulated.toMillis() / scale));
        }
    }

    @Produces
    @Singleton
    Scaled clock(
            @ConfigProperty(name = "broker.clock.epoch") Optional<String> epoch,
            @ConfigProperty(name = "broker.clock.origin") Optional<String> origin,
            @ConfigProperty(name = "broker.clock.scale", defaultValue = "1") double scale) {
        Instant e = epoch.filter(s -> !s.isBlank()).map(Instant::parse).orElseGet(Instant::now);
        Instant o = origin.filter(s -> !s.isBlank()).map(Instant::parse).orElse(e);
        return new Scaled(e, o, scale);
    }
}
