package io.gpubroker.sim.rackrr;

import io.gpubroker.sim.core.SimConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The one table of response field names. Rackrr publishes no response examples, so every name
 * here is GUESSED; {@code rackrr.field.<name>=<real name>} renames a field (e.g.
 * {@code rackrr.field.id=_id}) once real responses are captured, without code changes.
 */
final class Fields {
    private final SimConfig config;
    private final Map<String, String> cache = new HashMap<>();

    Fields(SimConfig config) {
        this.config = config;
    }

    /** The configured wire name of a canonical field. */
    String of(String canonical) {
        return cache.computeIfAbsent(canonical, c -> config.get("rackrr.field." + c, c));
    }

    void put(Map<String, Object> target, String canonical, Object value) {
        target.put(of(canonical), value);
    }
}
