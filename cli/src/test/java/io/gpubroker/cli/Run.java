package io.gpubroker.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;

/**
 * Runs {@code gpu} in-process with a private config folder, capturing stdout, stderr and the exit
 * code. Its clock starts at 2026-07-01T12:00:00Z and moves only when the CLI pauses between polls.
 */
record Run(int code, String out, String err) {
    static final Instant START = Instant.parse("2026-07-01T12:00:00Z");

    static Run gpu(Path configHome, Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("XDG_CONFIG_HOME", configHome.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        SteppedClock clock = new SteppedClock();
        CommandLine cl = GpuCli.commandLine(env, false, clock, clock.now::addAndGet);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static final class SteppedClock extends Clock {
        final AtomicLong now = new AtomicLong(START.toEpochMilli());

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
            return Instant.ofEpochMilli(now.get());
        }
    }
}
