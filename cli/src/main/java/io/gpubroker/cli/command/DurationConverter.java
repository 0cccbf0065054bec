package io.gpubroker.cli.command;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code 90s}, {@code 15m}, {@code 2h} or ISO-8601 ({@code PT15M}). */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.matches("\\d+(ms|s|m|h)")) {
                long n = Long.parseLong(v.replaceAll("[a-z]+$", ""));
                return switch (v.replaceAll("^\\d+", "")) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 90s, 15m, 2h)");
        }
    }
}
