package io.gpubroker.provider.support;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the five real provider simulators (HTTP APIs + SSH servers) in the test JVM at 100x simulated
 * time and points the gateway's adapters at them; control URLs are passed as {@code test.sim.<p>.control-url}.
 * Price drift is off so a quoted price stays valid within a test (price changes are injected on purpose).
 */
public class SimulatorsResource implements QuarkusTestResourceLifecycleManager {
    public static final double SCALE = 100;
    private Simulators sims;

    @Override
    public Map<String, String> start() {
        SimConfig cfg = new SimConfig()
                .set("vastai.price-drift-pct", "0")
                .set("tensordock.price-drift-interval", "0")
                .set("rackrr.price-drift-interval", "0")
                .set("barrack.price-drift-pct", "0")
                .set("trooper.price-drift-interval", "0");
        sims = Simulators.start(cfg, new SimClock(Instant.now(), SCALE));
        Map<String, String> m = new HashMap<>();
        sims.describe().forEach((name, d) -> {
            String k = "broker.providers." + name + ".";
            m.put(k + "base-url", String.valueOf(d.get("base_url")));
            m.put(k + "api-key", String.valueOf(d.get("api_key")));
            m.put(k + "enabled", "true");
            m.put("test.sim." + name + ".control-url", String.valueOf(d.get("control_url")));
        });
        return m;
    }

    @Override
    public void stop() {
        if (sims != null) {
            sims.close();
        }
    }
}
