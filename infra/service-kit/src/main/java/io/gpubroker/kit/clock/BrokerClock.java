package io.gpubroker.kit.clock;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The stack's shared clock: {@code epoch + (wall clock - epoch) * scale} from
 * {@code broker.clock.epoch} / {@code broker.clock.scale}, so a 60x demo stack runs leases,
 * timers and billing 60x faster while every process agrees on the time. Scale 1 is the wall clock.
 */
@ApplicationScoped
public class BrokerClock {

    /** A {@link Clock} running {@code scale} times faster than the wall clock from {@code epoch}. */
    public static final class Scaled extends Clock {
        private final Instant epoch;
        private final double scale;

        public Scaled(Instant epoch, double scale) {
            if (scale <= 0) {
                throw new IllegalArgumentException("broker.clock.scale must be > 0");
            }
            this.epoch = epoch;
            this.scale = scale;
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
            long now = System.currentTimeMillis();
            if (scale == 1.0) {
                return Instant.ofEpochMilli(now);
            }
            return epoch.plusMillis((long) ((now - epoch.toEpochMilli()) * scale));
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
    Scaled clock(@ConfigProperty(name = "broker.clock.epoch") Optional<String> epoch,
                 @ConfigProperty(name = "broker.clock.scale", defaultValue = "1") double scale) {
        Instant e = epoch.filter(s -> !s.isBlank()).map(Instant::parse).orElseGet(Instant::now);
        return new Scaled(e, scale);
    }
}
