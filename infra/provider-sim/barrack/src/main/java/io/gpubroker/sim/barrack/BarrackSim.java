package io.gpubroker.sim.barrack;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

import io.gpubroker.sim.core.ProviderSim;
import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.SimInstance;
import io.gpubroker.sim.core.SshHost;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Barrack (Hyperstack-based VM cloud) simulator. Only {@code POST /deploy-server/} and
 * {@code /pricing/} are confirmed paths; every other path comes from {@code barrack.path.*} so it
 * can be corrected without code. Auth is {@code X-API-Key}; SSH keys are registered by name and
 * referenced in {@code ssh_key} at deploy; the login user is {@code ubuntu}.
 */
public class BarrackSim extends ProviderSim {

    private static final Pattern KEY_LINE = Pattern.compile(
            "(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+");
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,50}");
    private static final Set<String> VOLUME_TYPES = Set.of("HDD", "SSD", "NVMe");
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final BarrackCatalog catalog;
    /** Every VM since the last reset, including deleted ones (billing stays readable). */
    private final Map<String, BarrackInstance> vms = new LinkedHashMap<>();
    /** Registered SSH keys by name. */
    private final Map<String, BarrackApi.SshKey> sshKeys = new LinkedHashMap<>();
    private int nextKeyId = 1;
    private double credit;
    private long rateWindowStart;
    private int rateWindowCount;

    public BarrackSim(SimConfig config, SimClock clock) {
        super("barrack", config, clock);
        long seed = config.getInt("barrack.seed", config.getInt("seed", 42));
        this.catalog = new BarrackCatalog(seed, config.getInt("barrack.offers", 40), random);
        this.credit = config.getDouble("barrack.balance", 1000.0);
    }

    @Override
    public String basePath() {
        return config.get("barrack.base-path", "/api");
    }

    // ---------------------------------------------------------------- routes

    @Override
    protected void configureApi(Router router) {
        vx().setPeriodic(clock.realMillis(timing("stock-refresh", Duration.ofSeconds(30))), t -> catalog.refreshSnapshot());
        vx().setPeriodic(clock.realMillis(timing("price-drift-interval", Duration.ofSeconds(60))),
                t -> catalog.drift(config.getDouble("barrack.price-drift-pct", 0.02)));
        router.route(basePath() + "/*").handler(this::rateLimit);

        route(router, HttpMethod.GET, "stocks", "/gpu-stocks/", "offers", this::stocks);
        route(router, HttpMethod.GET, "pricing", "/pricing/", "pricing", this::pricing);
        route(router, HttpMethod.POST, "pricing", "/pricing/", "pricing", this::pricing);
        route(router, HttpMethod.GET, "regions", "/regions/", "regions", this::regions);
        route(router, HttpMethod.GET, "gpu-specs", "/gpu-specs/", "gpu_specs", this::gpuSpecs);
        route(router, HttpMethod.GET, "os-images", "/os-images/", "images", this::osImages);
        route(router, HttpMethod.POST, "deploy", "/deploy-server/", "create", this::deploy);
        route(router, HttpMethod.GET, "list", "/instances/", "list", this::list);
        route(router, HttpMethod.GET, "get", "/instances/{id}/", "get", this::get);
        route(router, HttpMethod.DELETE, "delete", "/instances/{id}/", "destroy", this::delete);
        route(router, HttpMethod.POST, "start", "/instances/{id}/start/", "start", this::start);
        route(router, HttpMethod.POST, "stop", "/instances/{id}/stop/", "stop", this::stop);
        route(router, HttpMethod.POST, "reboot", "/instances/{id}/reboot/", "reboot", this::reboot);
        route(router, HttpMethod.POST, "hibernate", "/instances/{id}/hibernate/", "hibernate", this::hibernate);
        route(router, HttpMethod.POST, "restore", "/instances/{id}/restore/", "restore", this::restore);
        route(router, HttpMethod.POST, "toggle-public-ip", "/instances/{id}/toggle-public-ip/", "public_ip", this::togglePublicIp);
        route(router, HttpMethod.GET, "billing", "/instances/{id}/billing/", "billing", this::instanceBilling);
        route(router, HttpMethod.GET, "ssh-keys", "/ssh-keys/", "ssh_keys", this::listKeys);
        route(router, HttpMethod.POST, "ssh-keys", "/ssh-keys/", "ssh_key", this::createKey);
        route(router, HttpMethod.GET, "ssh-key", "/ssh-keys/{id}/", "ssh_key_get", this::getKey);
        route(router, HttpMethod.DELETE, "ssh-key", "/ssh-keys/{id}/", "ssh_key_delete", this::deleteKey);
        route(router, HttpMethod.GET, "balance", "/balance/", "balance", this::balance);
    }

    /** Registers one endpoint at {@code basePath + barrack.path.<key>} ({@code {id}} = path parameter). */
    private void route(Router router, HttpMethod method, String key, String def, String op, Handler<RoutingContext> h) {
        String path = basePath() + config.get("barrack.path." + key, def).replace("{id}", ":id");
        api(router, method, path, op, ctx -> {
            try {
                h.handle(ctx);
            } catch (BadRequest e) {
                fail(ctx, e.status, e.code, e.getMessage());
            }
        });
    }

    @Override
    protected void configureControl(Router router) {
        control(router, HttpMethod.GET, "/_sim/stock", ctx -> json(ctx, 200, Map.of("live", catalog.live(), "snapshot", catalog.snapshot())));
        control(router, HttpMethod.POST, "/_sim/stock", ctx -> {
            JsonObject b = body(ctx);
            if (BarrackCatalog.model(b.getString("gpu_model", "")) == null || BarrackCatalog.region(b.getString("region", "")) == null) {
                throw new BadRequest("region and gpu_model must name a Barrack region and model");
            }
            String key = BarrackCatalog.key(b.getString("region"), b.getString("gpu_model"), b.getInteger("gpu_count", 1));
            catalog.setLiveStock(key, b.getInteger("available", 0));
            if (b.getBoolean("refresh", false)) {
                catalog.refreshSnapshot();
            }
            json(ctx, 200, Map.of("key", key, "live", catalog.liveStock(key),
                    "advertised", catalog.snapshot().getOrDefault(key, 0)));
        });
        control(router, HttpMethod.POST, "/_sim/stock/refresh", ctx -> {
            catalog.refreshSnapshot();
            json(ctx, 200, Map.of("snapshot", catalog.snapshot()));
        });
        control(router, HttpMethod.POST, "/_sim/prices", ctx -> {
            JsonObject b = ctx.body().length() > 0 ? body(ctx) : new JsonObject();
            if (b.getString("gpu_model") != null && BarrackCatalog.model(b.getString("gpu_model")) != null) {
                catalog.setPrice(b.getString("gpu_model"), b.getDouble("usd"));
            } else {
                catalog.drift(config.getDouble("barrack.price-drift-pct", 0.02));
            }
            Map<String, Double> prices = new LinkedHashMap<>();
            BarrackCatalog.MODELS.forEach(m -> prices.put(m.name(), catalog.price(m.name())));
            json(ctx, 200, Map.of("prices", prices));
        });
        control(router, HttpMethod.POST, "/_sim/balance", ctx -> {
            double wanted = body(ctx).getDouble("balance");
            credit = wanted + spent().doubleValue();
            json(ctx, 200, Map.of("balance", balanceNow()));
        });
    }

    private void control(Router router, HttpMethod method, String path, Handler<RoutingContext> h) {
        router.route(method, path).handler(ctx -> {
            try {
                h.handle(ctx);
            } catch (RuntimeException e) {
                json(ctx, 400, Map.of("error", String.valueOf(e.getMessage())));
            }
        });
    }

    // ---------------------------------------------------------------- auth, errors, limits

    @Override
    protected boolean authorized(RoutingContext ctx) {
        String key = ctx.request().getHeader("X-API-Key");
        return key != null && key.equals(apiKey());
    }

    @Override
    protected void unauthorized(RoutingContext ctx) {
        int status = config.getInt("barrack.auth-error-status", 401);
        if (ctx.request().getHeader("X-API-Key") == null) {
            fail(ctx, status, "not_authenticated", "Authentication credentials were not provided. Send your key in the X-API-Key header.");
        } else {
            fail(ctx, status, "authentication_failed", "Invalid API key.");
        }
    }

    @Override
    protected void error(RoutingContext ctx, int status, String message) {
        fail(ctx, status, errorCode(status), message);
    }

    @Override
    protected void error200(RoutingContext ctx, String message) {
        fail(ctx, 200, "request_failed", message);
    }

    @Override
    protected void rateLimited(RoutingContext ctx, Integer retryAfterSeconds) {
        if (retryAfterSeconds != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        fail(ctx, 429, "throttled", retryAfterSeconds != null
                ? "Request was throttled. Expected available in " + retryAfterSeconds + " seconds."
                : "Request was throttled.");
    }

    /** Fixed one-minute window over real time (GUESSED: Barrack documents no limit); off when 0. */
    private void rateLimit(RoutingContext ctx) {
        int limit = config.getInt("barrack.rate-limit-per-minute", 0);
        if (limit <= 0) {
            ctx.next();
            return;
        }
        long nowMs = System.currentTimeMillis();
        if (nowMs - rateWindowStart >= 60_000) {
            rateWindowStart = nowMs;
            rateWindowCount = 0;
        }
        if (++rateWindowCount > limit) {
            int wait = (int) Math.max(1, (rateWindowStart + 60_000 - nowMs + 999) / 1000);
            rateLimited(ctx, config.getBool("barrack.rate-limit-retry-after", true) ? wait : null);
            return;
        }
        ctx.next();
    }

    private void fail(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, new BarrackApi.ErrorBody(false, message, code, requestId(), timestamp()));
    }

    private static String errorCode(int status) {
        return switch (status) {
            case 400 -> "validation_error";
            case 401 -> "authentication_failed";
            case 402 -> "insufficient_balance";
            case 403 -> "permission_denied";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 413 -> "resource_limit_exceeded";
            case 429 -> "throttled";
            case 503 -> "service_unavailable";
            default -> status >= 500 ? "internal_error" : "error";
        };
    }

    /** A request the provider refuses; turned into the error envelope by {@link #route}. */
    private static final class BadRequest extends RuntimeException {
        final int status;
        final String code;

        BadRequest(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        BadRequest(String message) {
            this(400, "validation_error", message);
        }
    }

    private void ok(RoutingContext ctx, int status, String message, Object data, Object pagination, String tier) {
        json(ctx, status, new BarrackApi.Envelope(true, message, requestId(), timestamp(), data, pagination, tier));
    }

    private String requestId() {
        return String.format("%08x", random.nextInt());
    }

    private String timestamp() {
        return now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    // ---------------------------------------------------------------- catalog

    private void stocks(RoutingContext ctx) {
        MultiMap q = ctx.queryParams();
        String model = q.get("gpu_model") != null ? q.get("gpu_model") : q.get("model");
        Integer count = q.get("gpu_count") == null ? null : intParam(q.get("gpu_count"), "gpu_count");
        ok(ctx, 200, "GPU stock retrieved successfully",
                Map.of("stocks", catalog.stocks(q.get("region"), model, q.get("tier"), count)), null, null);
    }

    private void pricing(RoutingContext ctx) {
        JsonObject p = new JsonObject();
        ctx.queryParams().forEach(e -> p.put(e.getKey(), e.getValue()));
        if (ctx.request().method() == HttpMethod.POST && ctx.body().available()) {
            body(ctx).forEach(e -> p.put(e.getKey(), e.getValue()));
        }
        String tier = p.getString("tier");
        String currency = p.getString("currency");
        String resource = p.getString("resource_type");
        String model = p.getString("gpu_model");
        if (tier != null && !Set.of("legacy", "advanced").contains(tier)) {
            throw new BadRequest("tier must be one of: legacy, advanced");
        }
        if (currency != null && !Set.of("USD", "EUR", "INR").contains(currency)) {
            throw new BadRequest("currency must be one of: USD, EUR, INR");
        }
        if (resource != null && !Set.of("gpus", "volumes", "snapshots").contains(resource)) {
            throw new BadRequest("resource_type must be one of: gpus, volumes, snapshots");
        }
        if (model != null && BarrackCatalog.model(model) == null) {
            throw new BadRequest("\"" + model + "\" is not a valid choice for gpu_model.");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (resource == null || resource.equals("gpus")) {
            Map<String, Object> byTier = new LinkedHashMap<>();
            for (BarrackCatalog.Model m : BarrackCatalog.MODELS) {
                if (tier != null && !m.tier().equals(tier) || model != null && !m.name().equals(model)) {
                    continue;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("prices", prices(catalog.price(m.name()), currency));
                entry.put("max_count", m.maxCount());
                entry.put("unit", "per GPU per hour");
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) byTier.computeIfAbsent(m.tier(), k -> new LinkedHashMap<>());
                t.put(m.name(), entry);
            }
            out.put("gpus", Map.of("pricing", byTier, "description", "GPU pricing by model and tier"));
        }
        if (resource == null || resource.equals("volumes")) {
            Map<String, Object> byTier = new LinkedHashMap<>();
            if (tier == null || tier.equals("legacy")) {
                byTier.put("legacy", Map.of("SSD", volumePrice(0.1, currency)));
            }
            if (tier == null || tier.equals("advanced")) {
                byTier.put("advanced", Map.of("HDD", volumePrice(0.08, currency), "NVMe", volumePrice(0.3, currency)));
            }
            out.put("volumes", Map.of("pricing", byTier, "minimum_size_gb", 100));
        }
        if (resource == null || resource.equals("snapshots")) {
            Map<String, Object> byTier = new LinkedHashMap<>();
            for (String t : List.of("legacy", "advanced")) {
                if (tier == null || tier.equals(t)) {
                    byTier.put(t, Map.of("prices", prices(0.1, currency), "fixed_size_gb", 100, "unit", "per hour (fixed 100GB)"));
                }
            }
            out.put("snapshots", Map.of("pricing", byTier));
        }
        out.put("metadata", Map.of("supported_currencies", List.of("USD", "EUR", "INR"),
                "supported_tiers", List.of("legacy", "advanced"), "volume_minimum_size_gb", 100,
                "authentication_type", "api_key", "timestamp", now().getEpochSecond()));
        json(ctx, 200, new BarrackApi.PricingEnvelope(true, "Pricing information retrieved successfully", out, requestId()));
    }

    private Map<String, Object> prices(double usd, String currency) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (currency == null || currency.equals("USD")) {
            m.put("USD", usd);
        }
        if (currency == null || currency.equals("EUR")) {
            m.put("EUR", round(usd * config.getDouble("barrack.fx.EUR", 1.08), 4));
        }
        if (currency == null || currency.equals("INR")) {
            m.put("INR", round(usd * config.getDouble("barrack.fx.INR", 84.0), 2));
        }
        return m;
    }

    private Map<String, Object> volumePrice(double usdPerTb, String currency) {
        return Map.of("prices", prices(usdPerTb, currency), "unit", "per TB per hour");
    }

    private void regions(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BarrackCatalog.Region r : BarrackCatalog.REGIONS) {
            out.add(Map.of("name", r.name(), "tier", r.tier(), "location", r.location(), "country", r.country(),
                    "gpu_models", BarrackCatalog.MODELS.stream().filter(m -> m.tier().equals(r.tier())).map(BarrackCatalog.Model::name).toList()));
        }
        ok(ctx, 200, "Regions retrieved successfully", Map.of("regions", out), null, null);
    }

    private void gpuSpecs(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BarrackCatalog.Model m : BarrackCatalog.MODELS) {
            List<Map<String, Object>> flavors = new ArrayList<>();
            for (int c : BarrackCatalog.COUNTS) {
                if (c <= m.maxCount()) {
                    flavors.add(Map.of("gpu_count", c, "vcpus", m.vcpusPerGpu() * c, "ram_gb", m.ramGbPerGpu() * c));
                }
            }
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("model", m.name());
            spec.put("tier", m.tier());
            spec.put("vram_gb", m.vramMib() / 1024);
            spec.put("max_count", m.maxCount());
            spec.put("cuda_version", m.cuda());
            spec.put("driver_version", m.driver());
            spec.put("regions", BarrackCatalog.REGIONS.stream().filter(r -> r.tier().equals(m.tier())).map(BarrackCatalog.Region::name).toList());
            spec.put("flavors", flavors);
            out.add(spec);
        }
        ok(ctx, 200, "GPU specifications retrieved successfully", Map.of("gpu_specs", out), null, null);
    }

    private List<String> images() {
        return List.of(config.get("barrack.images",
                "Ubuntu 24.04 + CUDA 12.8 Open + Docker,Ubuntu Server 22.04 LTS R535 CUDA 12.2,Ubuntu Server 24.04 LTS").split(","));
    }

    private void osImages(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        int id = 1;
        for (String img : images()) {
            out.add(Map.of("id", id++, "name", img.trim(), "type", "os",
                    "regions", BarrackCatalog.REGIONS.stream().map(BarrackCatalog.Region::name).toList()));
        }
        ok(ctx, 200, "OS images retrieved successfully", Map.of("images", out), null, null);
    }

    // ---------------------------------------------------------------- deploy

    private void deploy(RoutingContext ctx) {
        JsonObject b = body(ctx);
        String modelName = string(b, "gpu_model", true);
        Integer count = integer(b, "gpu_count", true);
        String regionName = string(b, "region", true);
        BarrackCatalog.Model model = BarrackCatalog.model(modelName);
        if (model == null) {
            throw new BadRequest("\"" + modelName + "\" is not a valid choice for gpu_model.");
        }
        if (count < 1 || count > model.maxCount() || Integer.bitCount(count) != 1) {
            throw new BadRequest("gpu_count must be one of 1, 2, 4, 8 and at most " + model.maxCount() + " for " + modelName);
        }
        BarrackCatalog.Region region = BarrackCatalog.region(regionName);
        if (region == null) {
            throw new BadRequest("\"" + regionName + "\" is not a valid choice for region.");
        }
        if (!region.tier().equals(model.tier())) {
            throw new BadRequest("GPU model " + modelName + " (" + model.tier() + " tier) is not available in region " + regionName);
        }
        String keyTier = config.get("barrack.api-key-tier", "");
        if (!keyTier.isBlank() && !keyTier.equals(model.tier())) {
            throw new BadRequest(403, "permission_denied", "This API key is scoped to the " + keyTier + " tier.");
        }
        String instanceName = string(b, "instance_name", false);
        if (instanceName != null && (instanceName.isBlank() || instanceName.length() > 255)) {
            throw new BadRequest("instance_name must be 1-255 characters");
        }
        boolean volumeBoot = bool(b, "boot_from_volume", false);
        String image = string(b, "image_name", false);
        String sshKey = string(b, "ssh_key", false);
        List<String> keys = new ArrayList<>();
        if (volumeBoot) {
            String volumeId = string(b, "volume_id", false);
            if (volumeId == null) {
                throw new BadRequest("volume_id is required when boot_from_volume is true");
            }
            throw new BadRequest(404, "not_found", "Volume " + volumeId + " not found");
        }
        if (image == null || sshKey == null) {
            throw new BadRequest("image_name and ssh_key are required for image-based deployment");
        }
        if (config.getBool("barrack.strict-images", false) && images().stream().noneMatch(i -> i.trim().equals(image))) {
            throw new BadRequest(404, "not_found", "OS image '" + image + "' not found");
        }
        keys.add(resolveKey(sshKey));
        String cloudInit = string(b, "cloud_init", false);
        if (cloudInit != null && config.getBool("barrack.cloud-init-keys", true)) {
            Matcher m = KEY_LINE.matcher(cloudInit);
            while (m.find()) {
                keys.add(m.group());
            }
        }
        int osGb = 100;
        if (b.getValue("os_volume") instanceof JsonObject os) {
            osGb = integer(os, "size", false) == null ? 100 : os.getInteger("size");
        }
        String osType = model.tier().equals("legacy") ? "SSD" : "NVMe";
        double osRate = volumeRate(osType, osGb);
        List<Map<String, Object>> dataVolumes = new ArrayList<>();
        double dataRate = 0;
        if (b.getValue("volumes") instanceof JsonArray vols) {
            for (Object o : vols) {
                if (!(o instanceof JsonObject v)) {
                    throw new BadRequest("volumes must be a list of {name, size, volume_type}");
                }
                String type = v.getString("volume_type", "HDD");
                if (!VOLUME_TYPES.contains(type)) {
                    throw new BadRequest("\"" + type + "\" is not a valid choice for volume_type.");
                }
                int size = integer(v, "size", true);
                double rate = volumeRate(type, size);
                dataRate += rate;
                dataVolumes.add(Map.of("name", v.getString("name", "volume-" + (dataVolumes.size() + 1)),
                        "size_gb", size, "type", type, "hourly_rate", rate));
            }
        }
        List<Object> rules = b.getValue("security_rules") instanceof JsonArray a ? a.getList() : List.of();
        boolean publicIp = bool(b, "public_ip", config.getBool("barrack.public-ip-default", false));

        double gpuRate = round(catalog.price(model.name()) * count, 4);
        double total = round(gpuRate + osRate + dataRate, 4);
        String stockKey = BarrackCatalog.key(region.name(), model.name(), count);
        if (catalog.liveStock(stockKey) <= 0) {
            throw new BadRequest(config.getInt("barrack.no-capacity-status", 503), "insufficient_capacity",
                    "No GPU availability for " + count + "x " + model.name() + " in region " + region.name()
                            + ". Please try another region or configuration.");
        }
        double balance = balanceNow();
        if (balance < total * config.getDouble("barrack.min-balance-hours", 1.0)) {
            throw new BadRequest(402, "insufficient_balance", String.format(
                    "Insufficient credit balance: %.2f USD available, at least %.2f USD required.", balance,
                    total * config.getDouble("barrack.min-balance-hours", 1.0)));
        }
        int gpusInUse = vms.values().stream().filter(v -> !v.gone && v.holdsCapacity).mapToInt(v -> v.gpuCount).sum();
        if (gpusInUse + count > config.getInt("barrack.gpu-quota", 64)) {
            throw new BadRequest(413, "resource_limit_exceeded", "GPU quota exceeded: " + gpusInUse + " GPUs in use, limit "
                    + config.getInt("barrack.gpu-quota", 64));
        }

        String id = newInstanceId();
        String vmName = instanceName != null && config.getBool("barrack.vm-name-echo", true) ? instanceName
                : "barrack-" + model.name().toLowerCase().split("-")[0] + "-" + randomLower(3);
        BarrackInstance inst = new BarrackInstance(id, instanceName, vmName, region, model, count, gpuRate, osGb, osType,
                osRate, dataVolumes, round(dataRate, 4), "image", image, sshKey, rules,
                string(b, "script_id", false) != null, publicIp, now());
        inst.keys.addAll(keys);
        publishRulePorts(inst, rules);
        takeInstanceFault(inst);
        if (inst.fault == null && config.getBool("barrack.require-ssh-rule", false) && !allowsSsh(rules)) {
            inst.fault = "ssh_never_open";
        }
        catalog.take(stockKey);
        inst.holdsCapacity = true;
        register(inst);
        later(inst, timing("create", Duration.ofSeconds(3)), () -> {
            inst.state = "BUILD";
            if (!"stuck".equals(inst.fault)) {
                later(inst, timing("build", Duration.ofSeconds(30)), () -> becomeActive(inst));
            }
        });
        ok(ctx, 201, "VM deployed successfully", view(inst), null, model.tier());
    }

    private String resolveKey(String sshKey) {
        String mode = config.get("barrack.ssh-key-mode", "name");
        boolean looksLikeKey = KEY_LINE.matcher(sshKey).find();
        if (mode.equals("text") || mode.equals("either") && looksLikeKey) {
            if (!looksLikeKey) {
                throw new BadRequest("ssh_key must be an OpenSSH public key");
            }
            parsePublicKey(sshKey);
            return sshKey;
        }
        BarrackApi.SshKey k = sshKeys.get(sshKey);
        if (k == null) {
            throw new BadRequest(404, "not_found", "SSH key '" + sshKey + "' not found");
        }
        return k.publicKey();
    }

    private static boolean allowsSsh(List<Object> rules) {
        for (Object o : rules) {
            JsonObject r = o instanceof JsonObject j ? j : o instanceof Map<?, ?> m ? new JsonObject(castMap(m)) : null;
            if (r != null && "ingress".equals(r.getString("direction")) && "tcp".equalsIgnoreCase(r.getString("protocol"))
                    && r.getInteger("port_range_min", 0) <= 22 && r.getInteger("port_range_max", 0) >= 22) {
                return true;
            }
        }
        return false;
    }

    /** Ingress TCP ports other than 22 get their loopback port now, so {@code sim_port_map} shows them from the first GET. */
    private void publishRulePorts(BarrackInstance inst, List<Object> rules) {
        for (Object o : rules) {
            JsonObject r = o instanceof JsonObject j ? j : o instanceof Map<?, ?> m ? new JsonObject(castMap(m)) : null;
            if (r == null || !"ingress".equals(r.getString("direction"))) {
                continue;
            }
            String protocol = r.getString("protocol", "tcp");
            if (!protocol.equalsIgnoreCase("tcp") && !protocol.equalsIgnoreCase("any")) {
                continue;
            }
            Integer min = r.getValue("port_range_min") instanceof Number n ? n.intValue() : null;
            Integer max = r.getValue("port_range_max") instanceof Number n ? n.intValue() : min;
            if (min == null || max == null || max < min || max - min >= 32) {
                continue;
            }
            for (int p = Math.max(1, min); p <= Math.min(65535, max); p++) {
                if (p != 22) {
                    apps(inst).publish(p);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private double volumeRate(String type, int sizeGb) {
        double perTb = switch (type) {
            case "NVMe" -> 0.3;
            case "SSD" -> 0.1;
            default -> 0.08;
        };
        return round(sizeGb / 1024.0 * perTb, 4);
    }

    private void register(BarrackInstance inst) {
        instances.put(inst.id, inst);
        vms.put(inst.id, inst);
    }

    private String newInstanceId() {
        String id;
        do {
            StringBuilder sb = new StringBuilder("BRK-");
            for (int i = 0; i < 7; i++) {
                sb.append(ALNUM.charAt(idRandom.nextInt(ALNUM.length())));
            }
            id = sb.toString();
        } while (vms.containsKey(id) || instances.containsKey(id));
        return id;
    }

    private String randomLower(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- state machine

    /** Runs {@code step} after {@code d} unless the VM moved on (another transition, delete, reset). */
    private void later(BarrackInstance inst, Duration d, Runnable step) {
        int epoch = inst.epoch;
        after(d, () -> {
            if (vms.get(inst.id) == inst && inst.epoch == epoch && !inst.gone) {
                step.run();
            }
        });
    }

    private void becomeActive(BarrackInstance inst) {
        inst.state = "ACTIVE";
        inst.charge(now(), 1.0);
        int epoch = inst.epoch;
        openSsh(inst, config.get("barrack.ssh-user", "ubuntu"), host -> {
            if (inst.epoch == epoch && "ACTIVE".equals(inst.state)) {
                attachIp(inst, timing("ip-attach", Duration.ofSeconds(5)));
            }
        });
        String also = config.get("barrack.ssh-also-user", "");
        if (!also.isBlank()) {
            inst.ssh.alsoUser(also);
        }
        inst.keys.forEach(inst.ssh::authorize);
        if ("dies".equals(inst.fault)) {
            later(inst, timing("dies-after", Duration.ofSeconds(10)), () -> applyStateFault(inst, "dies"));
        }
    }

    private void attachIp(BarrackInstance inst, Duration delay) {
        if (!inst.publicIp || inst.ipAddress != null) {
            return;
        }
        inst.ipStatus = "pending";
        later(inst, delay, () -> {
            if (inst.publicIp) {
                inst.ipStatus = config.get("barrack.ip-status-attached", "attached");
                inst.ipAddress = "127.0.0.1";
            }
        });
    }

    /** Leaves the current state: later timers for it are void and SSH goes down. */
    private void interrupt(BarrackInstance inst, String newState) {
        inst.epoch++;
        inst.state = newState;
        closeSsh(inst);
    }

    @Override
    protected void applyStateFault(SimInstance instance, String kind) {
        BarrackInstance inst = (BarrackInstance) instance;
        switch (kind) {
            case "dies" -> {
                interrupt(inst, config.get("barrack.status.died", "ERROR"));
                inst.charge(now(), config.getDouble("barrack.died-billing-fraction", 0.0));
            }
            case "host_offline" -> interrupt(inst, config.get("barrack.status.host-offline", "UNKNOWN"));
            default -> throw new IllegalArgumentException("unknown state fault for barrack: " + kind);
        }
    }

    private BarrackInstance live(RoutingContext ctx) {
        BarrackInstance inst = vms.get(ctx.pathParam("id"));
        if (inst == null || inst.gone) {
            throw new BadRequest(404, "not_found", "Instance " + ctx.pathParam("id") + " not found");
        }
        return inst;
    }

    private static void requireState(BarrackInstance inst, String action, String... allowed) {
        if (!List.of(allowed).contains(inst.state)) {
            throw new BadRequest("Cannot " + action + " instance " + inst.id + " in status " + inst.state
                    + " (allowed: " + String.join(", ", allowed) + ")");
        }
    }

    private void changed(RoutingContext ctx, BarrackInstance inst, String message) {
        ok(ctx, 200, message, new BarrackApi.StatusChange(inst.id, inst.state), null, null);
    }

    private void stop(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "stop", "ACTIVE");
        interrupt(inst, "STOPPING");
        later(inst, timing("stop", Duration.ofSeconds(5)), () -> {
            inst.state = "SHUTOFF";
            inst.charge(now(), config.getDouble("barrack.shutoff-billing-fraction", 1.0));
        });
        changed(ctx, inst, "Instance stop initiated");
    }

    private void start(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "start", "SHUTOFF");
        interrupt(inst, "STARTING");
        later(inst, timing("start", Duration.ofSeconds(10)), () -> becomeActive(inst));
        changed(ctx, inst, "Instance start initiated");
    }

    private void reboot(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "reboot", "ACTIVE", "SHUTOFF", "UNKNOWN", "ERROR");
        interrupt(inst, "REBOOTING");
        later(inst, timing("reboot", Duration.ofSeconds(10)), () -> becomeActive(inst));
        changed(ctx, inst, "Instance reboot initiated");
    }

    private void hibernate(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "hibernate", "ACTIVE", "SHUTOFF");
        interrupt(inst, "HIBERNATING");
        later(inst, timing("hibernate", Duration.ofSeconds(10)), () -> {
            inst.state = "HIBERNATED";
            releaseCapacity(inst);
            double rate = config.getDouble("barrack.hibernated-hourly-rate", 0.01);
            inst.charge(now(), rate / inst.pricePerHour.doubleValue());
        });
        changed(ctx, inst, "Instance hibernation initiated");
    }

    private void restore(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "restore", "HIBERNATED");
        if (!catalog.take(inst.stockKey())) {
            throw new BadRequest(config.getInt("barrack.no-capacity-status", 503), "insufficient_capacity",
                    "No GPU availability to restore " + inst.gpuCount + "x " + inst.model.name() + " in region " + inst.region.name());
        }
        inst.holdsCapacity = true;
        interrupt(inst, "RESTORING");
        later(inst, timing("restore", Duration.ofSeconds(20)), () -> becomeActive(inst));
        changed(ctx, inst, "Instance restore initiated");
    }

    private void togglePublicIp(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        inst.publicIp = !inst.publicIp;
        if (!inst.publicIp) {
            inst.ipAddress = null;
            inst.ipStatus = "detached";
        } else if ("ACTIVE".equals(inst.state)) {
            attachIp(inst, timing("ip-attach", Duration.ofSeconds(5)));
        } else {
            inst.ipStatus = "pending";
        }
        ok(ctx, 200, "Public IP " + (inst.publicIp ? "enabled" : "disabled"), view(inst), null, null);
    }

    private void delete(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        if (!"DELETING".equals(inst.state)) {
            interrupt(inst, "DELETING");
            markDestroyed(inst);
            inst.closeSegment(now());
            later(inst, timing("delete", Duration.ofSeconds(5)), () -> {
                inst.state = "DELETED";
                inst.gone = true;
                releaseCapacity(inst);
            });
        }
        changed(ctx, inst, "Instance deletion initiated");
    }

    private void releaseCapacity(BarrackInstance inst) {
        if (inst.holdsCapacity) {
            inst.holdsCapacity = false;
            catalog.give(inst.stockKey());
        }
    }

    // ---------------------------------------------------------------- reads

    private void list(RoutingContext ctx) {
        int page = ctx.queryParams().get("page") == null ? 1 : intParam(ctx.queryParams().get("page"), "page");
        int size = ctx.queryParams().get("page_size") == null ? config.getInt("barrack.list-page-size", 50)
                : intParam(ctx.queryParams().get("page_size"), "page_size");
        if (page < 1 || size < 1 || size > 500) {
            throw new BadRequest("page must be >= 1 and page_size within 1..500");
        }
        List<BarrackInstance> visible = vms.values().stream().filter(v -> !v.gone).toList();
        int from = Math.min(visible.size(), (page - 1) * size);
        int to = Math.min(visible.size(), from + size);
        List<BarrackApi.Instance> items = visible.subList(from, to).stream().map(this::view).toList();
        ok(ctx, 200, "Instances retrieved successfully", Map.of("instances", items),
                new BarrackApi.Pagination(page, size, visible.size(), Math.max(1, (visible.size() + size - 1) / size)), null);
    }

    private void get(RoutingContext ctx) {
        ok(ctx, 200, "Instance details retrieved successfully", view(live(ctx)), null, null);
    }

    private void instanceBilling(RoutingContext ctx) {
        BarrackInstance inst = vms.get(ctx.pathParam("id"));
        if (inst == null) {
            throw new BadRequest(404, "not_found", "Instance " + ctx.pathParam("id") + " not found");
        }
        Instant now = now();
        List<BarrackApi.BillingRecord> records = new ArrayList<>();
        long ms = 0;
        for (BarrackInstance.Segment s : inst.segments) {
            Instant end = s.end != null ? s.end : now;
            ms += Math.max(0, Duration.between(s.start, end).toMillis());
            records.add(new BarrackApi.BillingRecord(s.status, s.hourlyRate.doubleValue(), s.start.toString(),
                    s.end == null ? null : s.end.toString(), s.cost(now).doubleValue()));
        }
        ok(ctx, 200, "Instance billing retrieved successfully", new BarrackApi.InstanceBilling(inst.id, inst.vmName,
                inst.state, "USD", inst.pricePerHour.doubleValue(), inst.accrued(now).doubleValue(),
                (ms + 59_999) / 60_000, records), null, null);
    }

    private void balance(RoutingContext ctx) {
        ok(ctx, 200, "Credit balance retrieved successfully", new BarrackApi.Balance(balanceNow(), "USD"), null, null);
    }

    private BigDecimal spent() {
        Instant now = now();
        return vms.values().stream().map(v -> v.accrued(now)).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private double balanceNow() {
        return BigDecimal.valueOf(credit).subtract(spent()).setScale(4, RoundingMode.HALF_UP).doubleValue();
    }

    private BarrackApi.Instance view(BarrackInstance i) {
        var billing = new BarrackApi.Billing(new BarrackApi.Breakdown(
                new BarrackApi.Compute(new BarrackApi.Gpu(i.model.name(), i.gpuCount, i.gpuHourlyRate)),
                new BarrackApi.Storage(new BarrackApi.OsVolume(i.osVolumeGb, i.osVolumeType, i.osVolumeRate),
                        i.dataVolumes, i.dataVolumesRate)),
                i.pricePerHour.doubleValue(), "USD");
        int storage = i.osVolumeGb + i.dataVolumes.stream().mapToInt(v -> (Integer) v.get("size_gb")).sum();
        var specs = new BarrackApi.Specs(i.model.name(), i.gpuCount, i.model.ramGbPerGpu() * i.gpuCount,
                i.model.vcpusPerGpu() * i.gpuCount, storage);
        Integer sshPort = i.ipAddress != null && i.ssh != null ? i.ssh.port() : null;
        Map<String, Integer> portMap = new LinkedHashMap<>();
        if (i.apps != null) {
            i.apps.published().forEach((vm, ext) -> portMap.put(String.valueOf(vm), ext));
        }
        return new BarrackApi.Instance(i.id, i.vmName, i.region.name(), i.ipAddress, i.ipStatus, sshPort, portMap, billing, specs,
                i.state, i.bootSource, i.operatingSystem, new BarrackApi.Features(i.startupScript),
                i.createdAt.truncatedTo(ChronoUnit.SECONDS).toString(), i.sshKeyName, i.securityRules);
    }

    // ---------------------------------------------------------------- SSH keys

    private void listKeys(RoutingContext ctx) {
        ok(ctx, 200, "SSH keys retrieved successfully",
                Map.of("ssh_keys", sshKeys.values().stream().map(BarrackApi.SshKey::withoutPrivateKey).toList()), null, null);
    }

    private void createKey(RoutingContext ctx) {
        JsonObject b = body(ctx);
        String name = string(b, "name", true);
        String publicKey = string(b, "public_key", false);
        if (!KEY_NAME.matcher(name).matches()) {
            throw new BadRequest("name must be 1-50 characters: letters, digits, '_', '-', '.'");
        }
        if (sshKeys.containsKey(name)) {
            throw new BadRequest("An SSH key named '" + name + "' already exists");
        }
        if (publicKey != null) {
            PublicKey parsed = parsePublicKey(publicKey);
            BarrackApi.SshKey k = new BarrackApi.SshKey(nextKeyId++, name, publicKey.trim(),
                    KeyUtils.getFingerPrint(parsed), timestamp(), null);
            sshKeys.put(name, k);
            ok(ctx, 201, "SSH key created successfully", k, null, null);
            return;
        }
        int id = nextKeyId++;
        String createdAt = timestamp();
        vx().<KeyPair>executeBlocking(() -> {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                fail(ctx, 500, "internal_error", "key generation failed");
                return;
            }
            KeyPair kp = ar.result();
            String pub = PublicKeyEntry.toString(kp.getPublic()) + " " + name;
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(kp.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            BarrackApi.SshKey k = new BarrackApi.SshKey(id, name, pub, KeyUtils.getFingerPrint(kp.getPublic()), createdAt, pem);
            if (sshKeys.putIfAbsent(name, k.withoutPrivateKey()) != null) {
                fail(ctx, 400, "validation_error", "An SSH key named '" + name + "' already exists");
                return;
            }
            ok(ctx, 201, "SSH key created successfully", k, null, null);
        });
    }

    private BarrackApi.SshKey key(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        BarrackApi.SshKey k = sshKeys.get(id);
        if (k == null) {
            k = sshKeys.values().stream().filter(x -> String.valueOf(x.id()).equals(id)).findFirst().orElse(null);
        }
        if (k == null) {
            throw new BadRequest(404, "not_found", "SSH key " + id + " not found");
        }
        return k;
    }

    private void getKey(RoutingContext ctx) {
        ok(ctx, 200, "SSH key retrieved successfully", key(ctx).withoutPrivateKey(), null, null);
    }

    private void deleteKey(RoutingContext ctx) {
        BarrackApi.SshKey k = key(ctx);
        sshKeys.remove(k.name());
        ok(ctx, 200, "SSH key deleted successfully", Map.of("id", k.id(), "name", k.name()), null, null);
    }

    private static PublicKey parsePublicKey(String line) {
        Matcher m = KEY_LINE.matcher(line);
        if (!m.find()) {
            throw new BadRequest("public_key must be an OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa)");
        }
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(m.group()).resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        } catch (Exception e) {
            throw new BadRequest("public_key is not a valid OpenSSH public key");
        }
    }

    // ---------------------------------------------------------------- orphans and reset

    @Override
    protected SimInstance createOrphan(String tag, JsonObject body) {
        BarrackCatalog.Model model = BarrackCatalog.model(body.getString("gpu_model", ""));
        BarrackCatalog.Region region = BarrackCatalog.region(body.getString("region", ""));
        int count = body.getInteger("gpu_count", 1);
        if (model == null || region == null || !region.tier().equals(model.tier())) {
            String key = catalog.live().entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                    .findFirst().orElse(BarrackCatalog.key("CANADA-1", "RTX-A6000", 1));
            String[] parts = key.split("\\|");
            region = BarrackCatalog.region(parts[0]);
            model = BarrackCatalog.model(parts[1]);
            count = Integer.parseInt(parts[2]);
        }
        double gpuRate = round(catalog.price(model.name()) * count, 4);
        String osType = model.tier().equals("legacy") ? "SSD" : "NVMe";
        BarrackInstance inst = new BarrackInstance(newInstanceId(), tag, tag, region, model, count, gpuRate, 100, osType,
                volumeRate(osType, 100), List.of(), 0, "image", images().get(0).trim(), body.getString("ssh_key"),
                List.of(), false, true, now());
        if (body.getString("public_key") != null) {
            inst.keys.add(body.getString("public_key"));
        } else if (body.getString("ssh_key") != null && sshKeys.containsKey(body.getString("ssh_key"))) {
            inst.keys.add(sshKeys.get(body.getString("ssh_key")).publicKey());
        }
        inst.holdsCapacity = catalog.take(inst.stockKey());
        register(inst);
        becomeActive(inst);
        inst.ipStatus = config.get("barrack.ip-status-attached", "attached");
        inst.ipAddress = "127.0.0.1";
        return inst;
    }

    /**
     * Core's reset clears the instance map without marking instances destroyed, so an SSH server
     * still starting on a worker would come up afterwards; marking them destroyed here makes
     * {@code openSsh} close it.
     */
    @Override
    protected void resetProviderState() {
        for (BarrackInstance v : vms.values()) {
            if (!v.destroyed) {
                v.epoch++;
                markDestroyed(v);
            }
        }
        vms.clear();
        sshKeys.clear();
        nextKeyId = 1;
        catalog.reset();
        credit = config.getDouble("barrack.balance", 1000.0);
        rateWindowCount = 0;
    }

    // ---------------------------------------------------------------- parsing helpers

    private static JsonObject body(RoutingContext ctx) {
        try {
            JsonObject b = ctx.body().asJsonObject();
            if (b == null) {
                throw new BadRequest("Request body must be a JSON object");
            }
            return b;
        } catch (RuntimeException e) {
            if (e instanceof BadRequest br) {
                throw br;
            }
            throw new BadRequest("JSON parse error: request body must be a JSON object");
        }
    }

    private static String string(JsonObject b, String field, boolean required) {
        Object v = b.getValue(field);
        if (v == null) {
            if (required) {
                throw new BadRequest(field + ": This field is required.");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw new BadRequest(field + ": Not a valid string.");
        }
        return s;
    }

    private static Integer integer(JsonObject b, String field, boolean required) {
        Object v = b.getValue(field);
        if (v == null) {
            if (required) {
                throw new BadRequest(field + ": This field is required.");
            }
            return null;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        if (v instanceof String s) {
            return intParam(s, field);
        }
        throw new BadRequest(field + ": A valid integer is required.");
    }

    private static boolean bool(JsonObject b, String field, boolean def) {
        Object v = b.getValue(field);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Boolean x)) {
            throw new BadRequest(field + ": Must be a valid boolean.");
        }
        return x;
    }

    private static int intParam(String s, String field) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest(field + ": A valid integer is required.");
        }
    }

    private static double round(double v, int places) {
        return BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP).doubleValue();
    }
}
