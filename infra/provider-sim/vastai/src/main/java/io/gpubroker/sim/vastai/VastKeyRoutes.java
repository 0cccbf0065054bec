package io.gpubroker.sim.vastai;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.vastai.VastHttp.body;
import static io.gpubroker.sim.vastai.VastHttp.fail;
import static io.gpubroker.sim.vastai.VastHttp.ok;
import static io.gpubroker.sim.vastai.VastHttp.parseId;

import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** SSH key routes: keys attached per instance (active after propagation) and account keys copied into new instances. */
final class VastKeyRoutes {

    private static final Pattern KEY_LINE =
            Pattern.compile("(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+");

    private final VastAiSim sim;

    VastKeyRoutes(VastAiSim sim) {
        this.sim = sim;
    }

    void attachKey(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        VastInstance inst = sim.vast.get(id);
        if (inst == null || inst.destroyed) {
            fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
            return;
        }
        String key = validKey(body(ctx).getString("ssh_key"));
        VastInstance.Key k = sim.addKey(inst, key, false);
        // the key reaches the container 10-15 s after the call
        sim.after(sim.timing("key-propagation", Duration.ofSeconds(10)), () -> {
            k.active = true;
            if (!inst.destroyed && inst.ssh != null && inst.keys.contains(k)) {
                inst.ssh.authorize(k.publicKey);
            }
        });
        json(ctx, 200, ok("SSH key added to instance " + id + "."));
    }

    void instanceKeys(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        VastInstance inst = sim.vast.get(id);
        if (inst == null || inst.destroyed) {
            fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
            return;
        }
        List<Map<String, Object>> keys = new ArrayList<>();
        for (VastInstance.Key k : inst.keys) {
            String[] parts = k.publicKey.split("\\s+", 3);
            keys.add(Map.of("id", k.id, "name", parts.length > 2 ? parts[2] : "", "public_key", k.publicKey));
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("ssh_keys", Json.encode(keys));
        json(ctx, 200, res);
    }

    void detachKey(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        long keyId = parseId(ctx.pathParam("key"));
        VastInstance inst = sim.vast.get(id);
        if (inst == null || inst.destroyed || !inst.keys.removeIf(k -> k.id == keyId)) {
            fail(ctx, 404, "no_such_key", "SSH key " + keyId + " is not attached to instance " + id + ".");
            return;
        }
        json(ctx, 200, ok("SSH key removed from instance " + id + "."));
    }

    void addAccountKey(RoutingContext ctx) {
        String key = validKey(body(ctx).getString("ssh_key"));
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("id", sim.takeKeyId());
        k.put("user_id", sim.userId());
        k.put("public_key", key);
        k.put("created_at", sim.now().toString());
        k.put("deleted_at", null);
        sim.accountKeys.add(k);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("key", k);
        json(ctx, 200, res);
    }

    void deleteAccountKey(RoutingContext ctx) {
        long keyId = parseId(ctx.pathParam("key"));
        if (!sim.accountKeys.removeIf(k -> ((Number) k.get("id")).longValue() == keyId)) {
            fail(ctx, 404, "no_such_key", "SSH key " + keyId + " not found.");
            return;
        }
        json(ctx, 200, Map.of("success", true));
    }

    static String validKey(String line) {
        Matcher m = KEY_LINE.matcher(line == null ? "" : line);
        if (!m.find()) {
            throw new IllegalArgumentException("ssh_key must be an OpenSSH public key");
        }
        try {
            AuthorizedKeyEntry.parseAuthorizedKeyEntry(m.group())
                    .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        } catch (Exception e) {
            throw new IllegalArgumentException("ssh_key must be an OpenSSH public key");
        }
        return line.trim();
    }
}
