package io.gpubroker.sim.tensordock;

import io.gpubroker.sim.core.SimConfig;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GUESSED or observed-but-inconsistent parts of TensorDock's API, read from
 * {@code tensordock.*} config and changeable at runtime through {@code POST /_sim/settings}.
 */
final class Settings {

    /** {@code documented} = {"data":{"instances":[{id,attributes}]}}; {@code flat} = {"data":[{...}]}. */
    String listEnvelope;
    /** {@code flat} (documented) or {@code data} = {"data":{"id","attributes"}}. */
    String getEnvelope;
    /** {@code error} = {"error": msg}; {@code errors} = JSON:API {"errors":[{status,title,detail}]}. */
    String errorBody;
    /** Reproduces BUG-008: requested port forwards are silently dropped. */
    boolean ignorePortForwards;
    /** Probability that a create fails with "No available nodes found" although capacity exists. */
    double staleCreateFailureRate;
    /** Whether the {@code ssh_key}/{@code ssh_key_id} attribute installs the key (BUG-002 says: not reliably). */
    boolean sshKeyAttributeInstalls;
    /** Whether cloud-init {@code ssh_authorized_keys} installs keys (BUG-002: it did not). */
    boolean cloudInitAuthorizedKeysInstall;

    Settings(SimConfig config) {
        listEnvelope = config.get("tensordock.list-envelope", "documented");
        getEnvelope = config.get("tensordock.get-envelope", "flat");
        errorBody = config.get("tensordock.error-body", "error");
        ignorePortForwards = config.getBool("tensordock.ignore-port-forwards", false);
        staleCreateFailureRate = config.getDouble("tensordock.stale-create-failure-rate", 0.0);
        sshKeyAttributeInstalls = config.getBool("tensordock.ssh-key-attribute-installs", true);
        cloudInitAuthorizedKeysInstall = config.getBool("tensordock.cloud-init-ssh-authorized-keys-install", false);
    }

    /** Applies the keys present in {@code body}; unknown keys are an error so typos surface in tests. */
    void update(JsonObject body) {
        for (String key : body.fieldNames()) {
            switch (key) {
                case "list_envelope" -> listEnvelope = oneOf(body.getString(key), "documented", "flat");
                case "get_envelope" -> getEnvelope = oneOf(body.getString(key), "flat", "data");
                case "error_body" -> errorBody = oneOf(body.getString(key), "error", "errors");
                case "ignore_port_forwards" -> ignorePortForwards = body.getBoolean(key);
                case "stale_create_failure_rate" -> staleCreateFailureRate = body.getDouble(key);
                case "ssh_key_attribute_installs" -> sshKeyAttributeInstalls = body.getBoolean(key);
                case "cloud_init_ssh_authorized_keys_install" -> cloudInitAuthorizedKeysInstall = body.getBoolean(key);
                default -> throw new IllegalArgumentException("unknown setting " + key);
            }
        }
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("list_envelope", listEnvelope);
        m.put("get_envelope", getEnvelope);
        m.put("error_body", errorBody);
        m.put("ignore_port_forwards", ignorePortForwards);
        m.put("stale_create_failure_rate", staleCreateFailureRate);
        m.put("ssh_key_attribute_installs", sshKeyAttributeInstalls);
        m.put("cloud_init_ssh_authorized_keys_install", cloudInitAuthorizedKeysInstall);
        return m;
    }

    private static String oneOf(String v, String... allowed) {
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException("value must be one of " + String.join(", ", allowed) + ": " + v);
    }
}
