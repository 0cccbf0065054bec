package io.gpubroker.sim.barrack;

import static io.gpubroker.sim.barrack.BarrackRequests.body;
import static io.gpubroker.sim.barrack.BarrackRequests.string;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** SSH key routes: register by public key or have one generated, list, get and delete by name or id. */
final class BarrackKeyRoutes {

    static final Pattern KEY_LINE =
            Pattern.compile("(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+");
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,50}");

    private final BarrackSim sim;

    BarrackKeyRoutes(BarrackSim sim) {
        this.sim = sim;
    }

    void listKeys(RoutingContext ctx) {
        sim.ok(
                ctx,
                200,
                "SSH keys retrieved successfully",
                Map.of(
                        "ssh_keys",
                        sim.sshKeys.values().stream()
                                .map(BarrackApi.SshKey::withoutPrivateKey)
                                .toList()),
                null,
                null);
    }

    void createKey(RoutingContext ctx) {
        JsonObject b = body(ctx);
        String name = string(b, "name", true);
        String publicKey = string(b, "public_key", false);
        if (!KEY_NAME.matcher(name).matches()) {
            throw new BadRequest("name must be 1-50 characters: letters, digits, '_', '-', '.'");
        }
        if (sim.sshKeys.containsKey(name)) {
            throw new BadRequest("An SSH key named '" + name + "' already exists");
        }
        if (publicKey != null) {
            PublicKey parsed = parsePublicKey(publicKey);
            BarrackApi.SshKey k = new BarrackApi.SshKey(
                    sim.takeKeyId(), name, publicKey.trim(), KeyUtils.getFingerPrint(parsed), sim.timestamp(), null);
            sim.sshKeys.put(name, k);
            sim.ok(ctx, 201, "SSH key created successfully", k, null, null);
            return;
        }
        int id = sim.takeKeyId();
        String createdAt = sim.timestamp();
        sim.vx()
                .<KeyPair>executeBlocking(
                        () -> {
                            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                            g.initialize(2048);
                            return g.generateKeyPair();
                        },
                        false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        sim.fail(ctx, 500, "internal_error", "key generation failed");
                        return;
                    }
                    KeyPair kp = ar.result();
                    String pub = PublicKeyEntry.toString(kp.getPublic()) + " " + name;
                    String pem = "-----BEGIN PRIVATE KEY-----\n"
                            + Base64.getMimeEncoder(64, "\n".getBytes())
                                    .encodeToString(kp.getPrivate().getEncoded())
                            + "\n-----END PRIVATE KEY-----\n";
                    BarrackApi.SshKey k = new BarrackApi.SshKey(
                            id, name, pub, KeyUtils.getFingerPrint(kp.getPublic()), createdAt, pem);
                    if (sim.sshKeys.putIfAbsent(name, k.withoutPrivateKey()) != null) {
                        sim.fail(ctx, 400, "validation_error", "An SSH key named '" + name + "' already exists");
                        return;
                    }
                    sim.ok(ctx, 201, "SSH key created successfully", k, null, null);
                });
    }

    private BarrackApi.SshKey key(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        BarrackApi.SshKey k = sim.sshKeys.get(id);
        if (k == null) {
            k = sim.sshKeys.values().stream()
                    .filter(x -> String.valueOf(x.id()).equals(id))
                    .findFirst()
                    .orElse(null);
        }
        if (k == null) {
            throw new BadRequest(404, "not_found", "SSH key " + id + " not found");
        }
        return k;
    }

    void getKey(RoutingContext ctx) {
        sim.ok(ctx, 200, "SSH key retrieved successfully", key(ctx).withoutPrivateKey(), null, null);
    }

    void deleteKey(RoutingContext ctx) {
        BarrackApi.SshKey k = key(ctx);
        sim.sshKeys.remove(k.name());
        sim.ok(ctx, 200, "SSH key deleted successfully", Map.of("id", k.id(), "name", k.name()), null, null);
    }

    static PublicKey parsePublicKey(String line) {
        Matcher m = KEY_LINE.matcher(line);
        if (!m.find()) {
            throw new BadRequest("public_key must be an OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa)");
        }
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(m.group())
                    .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        } catch (Exception e) {
            throw new BadRequest("public_key is not a valid OpenSSH public key");
        }
    }
}
