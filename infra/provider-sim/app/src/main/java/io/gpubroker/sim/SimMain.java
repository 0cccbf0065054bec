package io.gpubroker.sim;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * Runs all five simulators in one process for the local stack. Ports: {@code -Dsim.<name>.port};
 * clock: {@code -Dbroker.clock.epoch} / {@code -Dbroker.clock.origin} / {@code -Dbroker.clock.scale}; endpoints are written as JSON
 * to the file named by {@code -Dsim.endpoints-file} (and printed).
 */
public final class SimMain {

    private SimMain() {}

    public static void main(String[] args) throws Exception {
        String epoch = System.getProperty("broker.clock.epoch");
        double scale = Double.parseDouble(System.getProperty("broker.clock.scale", "1"));
        Instant e = epoch == null || epoch.isBlank() ? Instant.now() : Instant.parse(epoch);
        String origin = System.getProperty("broker.clock.origin");
        SimClock clock = new SimClock(e, origin == null || origin.isBlank() ? e : Instant.parse(origin), scale);
        SimConfig config = new SimConfig();
        Simulators sims = Simulators.start(config, clock, args);
        String json = Json.encodePrettily(sims.describe());
        String out = config.get("endpoints-file", null);
        if (out != null) {
            Path tmp = Path.of(out + ".tmp");
            Files.writeString(tmp, json);
            Files.move(
                    tmp,
                    Path.of(out),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println(json);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sims.close();
            stop.countDown();
        }));
        stop.await();
    }
}
