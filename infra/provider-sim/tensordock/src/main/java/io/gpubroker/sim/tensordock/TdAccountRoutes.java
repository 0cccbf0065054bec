package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.gpubroker.sim.core.GpuCatalog;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Account routes: secrets (SSH keys and other values) and the organization balance. */
final class TdAccountRoutes {

    /** An uploaded secret ({@code SSHKEY}, {@code GENERIC} or {@code SECRET}). */
    record Secret(String id, String name, String value, String type, Instant createdAt) {}

    private final TensorDockSim sim;

    TdAccountRoutes(TensorDockSim sim) {
        this.sim = sim;
    }

    void listSecrets(RoutingContext ctx) {
        json(
                ctx,
                200,
                new TdJson.SecretsBody(new TdJson.SecretsData(sim.secrets.values().stream()
                        .map(s -> new TdJson.SecretSummary(s.type(), s.id(), s.name()))
                        .toList())));
    }

    void createSecret(RoutingContext ctx) {
        JsonObject attrs;
        try {
            JsonObject body = ctx.body().asJsonObject();
            attrs = body == null || body.getJsonObject("data") == null
                    ? null
                    : body.getJsonObject("data").getJsonObject("attributes");
        } catch (DecodeException | ClassCastException e) {
            attrs = null;
        }
        List<TdJson.ValidationIssue> issues = new ArrayList<>();
        if (attrs == null) {
            issues.add(new TdJson.ValidationIssue("invalid_type", "Required", List.of("data", "attributes")));
        } else {
            Object name = attrs.getValue("name");
            Object value = attrs.getValue("value");
            Object type = attrs.getValue("type");
            if (!(name instanceof String n) || n.isBlank()) {
                issues.add(
                        new TdJson.ValidationIssue("invalid_type", "Required", List.of("data", "attributes", "name")));
            }
            if (!(value instanceof String)) {
                issues.add(
                        new TdJson.ValidationIssue("invalid_type", "Required", List.of("data", "attributes", "value")));
            }
            if (!(type instanceof String t)
                    || !Set.of("SSHKEY", "GENERIC", "SECRET").contains(t)) {
                issues.add(new TdJson.ValidationIssue(
                        "invalid_enum_value",
                        "Expected 'SSHKEY' | 'GENERIC' | 'SECRET'",
                        List.of("data", "attributes", "type")));
            } else if (t.equals("SSHKEY")
                    && value instanceof String v
                    && !CreateRequest.PUBLIC_KEY.matcher(v.trim()).matches()) {
                issues.add(new TdJson.ValidationIssue(
                        "invalid_string", "Invalid SSH public key", List.of("data", "attributes", "value")));
            }
        }
        if (!issues.isEmpty()) {
            json(ctx, 400, issues);
            return;
        }
        Secret s = new Secret(
                sim.newId(),
                attrs.getString("name"),
                attrs.getString("value").trim(),
                attrs.getString("type"),
                sim.now());
        sim.secrets.put(s.id(), s);
        json(ctx, 200, new TdJson.SecretCreatedBody(new TdJson.SecretCreated("secret", s.id(), s.name())));
    }

    void getSecret(RoutingContext ctx) {
        Secret s = sim.secrets.get(ctx.pathParam("id"));
        if (s == null) {
            sim.error(ctx, 404, "Secret not found");
            return;
        }
        json(
                ctx,
                200,
                new TdJson.SecretDetailBody(new TdJson.SecretDetail(
                        s.type(),
                        s.id(),
                        s.name(),
                        s.type().equals("SSHKEY") ? s.value() : null,
                        s.createdAt().toString())));
    }

    void deleteSecret(RoutingContext ctx) {
        if (sim.secrets.remove(ctx.pathParam("id")) == null) {
            sim.error(ctx, 404, "Secret not found");
            return;
        }
        json(
                ctx,
                200,
                new TdJson.SecretDeletedBody(new TdJson.SecretDeleted("success", "Secret deleted successfully")));
    }

    /** GUESSED endpoint and shape: the organization's balance, the initial credit minus all accrued cost. */
    void balance(RoutingContext ctx) {
        double spent = sim.spent();
        double hourly = sim.vms.values().stream()
                .filter(v -> !v.destroyed)
                .mapToDouble(v -> v.rateHourly * v.billedFraction)
                .sum();
        json(
                ctx,
                200,
                new TdJson.BalanceBody(new TdJson.Balance(
                        "balance",
                        GpuCatalog.round(sim.initialBalance - spent, 6),
                        "USD",
                        GpuCatalog.round(spent, 6),
                        GpuCatalog.round(hourly, 6))));
    }
}
