package io.gpubroker.billing;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real provider simulators (Vast.ai, Rackrr, Barrack) in the test JVM, on a 600x clock so half an
 * hour of billing passes in three seconds; billing reaches them over HTTP through the same
 * {@code broker.providers.<name>.*} config as in production. Also makes accrual run every second and
 * provider call retries and the circuit breaker's delay short.
 */
public class SimulatorsResource implements QuarkusTestResourceLifecycleManager {
    static final double SCALE = 600;
    private Simulators sims;

    @Override
    public Map<String, String> start() {
        sims = Simulators.start(new SimConfig(), new SimClock(Instant.now(), SCALE), "vastai", "rackrr", "barrack");
        Map<String, String> config = new HashMap<>();
        sims.describe().forEach((name, d) -> {
            config.put("broker.providers." + name + ".base-url", String.valueOf(d.get("base_url")));
            config.put("broker.providers." + name + ".api-key", String.valueOf(d.get("api_key")));
            config.put("test.sim." + name + ".control-url", String.valueOf(d.get("control_url")));
        });
        config.put("billing.accrual.every", "1s");
        config.put("billing.reconcile.every", "1h");
        config.put("billing.reconcile.delay", "1h");
        // provider call fault tolerance at test speed (ProviderFaultTests)
        config.put("billing.reconcile.timeout", "PT5S");
        config.put("billing.reconcile.retry-delay", "PT0.1S");
        config.put("billing.reconcile.retry-max-delay", "PT1S");
        config.put("billing.reconcile.breaker-delay", "PT2S");
        return config;
    }

    @Override
    public void stop() {
        if (sims != null) {
            sims.close();
        }
    }
}
