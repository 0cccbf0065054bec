package io.gpubroker.sim.barrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.Test;

class BarrackSimTests extends BarrackTestSupport {

    @Test
    void pricingAnswersGetAndPostUnderPricingDataAsDocumented() throws Exception {
        Resp get = api("GET", "/pricing/?tier=legacy", null);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json().getBoolean("success")).isTrue();
        assertThat(get.json().getString("message")).isEqualTo("Pricing information retrieved successfully");
        assertThat(get.json().getString("request_id")).matches("[0-9a-f]{8}");
        assertThat(get.json().containsKey("data")).isFalse();
        JsonObject pricing = get.json().getJsonObject("pricing_data");
        JsonObject a6000 = pricing.getJsonObject("gpus")
                .getJsonObject("pricing")
                .getJsonObject("legacy")
                .getJsonObject("RTX-A6000");
        assertThat(a6000.getJsonObject("prices").getDouble("USD")).isEqualTo(0.59);
        assertThat(a6000.getJsonObject("prices").getValue("EUR")).isInstanceOf(Number.class);
        assertThat(a6000.getJsonObject("prices").getValue("INR")).isInstanceOf(Number.class);
        assertThat(a6000.getInteger("max_count")).isEqualTo(4);
        assertThat(a6000.getString("unit")).isEqualTo("per GPU per hour");
        assertThat(pricing.getJsonObject("gpus").getJsonObject("pricing").containsKey("advanced"))
                .isFalse();
        assertThat(pricing.getJsonObject("volumes").getInteger("minimum_size_gb"))
                .isEqualTo(100);
        assertThat(pricing.getJsonObject("metadata").getJsonArray("supported_tiers"))
                .containsExactly("legacy", "advanced");
        assertThat(pricing.getJsonObject("metadata").getString("authentication_type"))
                .isEqualTo("api_key");
        assertThat(pricing.getJsonObject("metadata").getValue("timestamp")).isInstanceOf(Number.class);

        Resp post = api(
                "POST",
                "/pricing/",
                new JsonObject().put("tier", "advanced").put("currency", "USD").put("resource_type", "gpus"));
        assertThat(post.status()).isEqualTo(200);
        JsonObject h100 = post.json()
                .getJsonObject("pricing_data")
                .getJsonObject("gpus")
                .getJsonObject("pricing")
                .getJsonObject("advanced")
                .getJsonObject("H100-SXM5-80GB");
        assertThat(h100.getJsonObject("prices").fieldNames()).containsExactly("USD");
        assertThat(h100.getInteger("max_count")).isEqualTo(8);
        assertThat(post.json().getJsonObject("pricing_data").containsKey("volumes"))
                .isFalse();
        assertThat(api("GET", "/pricing/?tier=gold", null).status()).isEqualTo(400);
    }

    @Test
    void gpuStocksListConfigurationsPerRegionAndModelWithFilters() throws Exception {
        Resp r = api("GET", "/gpu-stocks/", null);
        assertThat(r.status()).isEqualTo(200);
        JsonArray stocks = r.data().getJsonArray("stocks");
        assertThat(stocks).hasSize(4);
        JsonObject canada = stocks.getJsonObject(0);
        assertThat(canada.getString("region")).isEqualTo("CANADA-1");
        assertThat(canada.getString("stock-type")).isEqualTo("GPU");
        JsonObject a6000 = canada.getJsonArray("models").getJsonObject(0);
        assertThat(a6000.getString("model")).isEqualTo("RTX-A6000");
        assertThat(a6000.getString("available")).matches("\\d+");
        assertThat(a6000.getJsonObject("configurations").getInteger("1x")).isEqualTo(10);
        assertThat(a6000.getJsonObject("configurations").fieldNames()).containsExactly("1x", "2x", "4x");

        JsonArray finland = api("GET", "/gpu-stocks/?region=FINLAND-2&gpu_model=H200-141GB&gpu_count=8", null)
                .data()
                .getJsonArray("stocks");
        assertThat(finland).hasSize(1);
        assertThat(finland.getJsonObject(0).getJsonArray("models")).hasSize(1);
        assertThat(finland.getJsonObject(0)
                        .getJsonArray("models")
                        .getJsonObject(0)
                        .getJsonObject("configurations")
                        .fieldNames())
                .containsExactly("8x");
    }

    @Test
    void catalogEndpointsDescribeRegionsGpuSpecsAndImages() throws Exception {
        JsonArray regions = api("GET", "/regions/", null).data().getJsonArray("regions");
        assertThat(regions.stream().map(o -> ((JsonObject) o).getString("name")))
                .containsExactly("CANADA-1", "FINLAND-1", "FINLAND-2", "FINLAND-3");
        JsonObject sxm5 = api("GET", "/gpu-specs/", null).data().getJsonArray("gpu_specs").stream()
                .map(JsonObject.class::cast)
                .filter(s -> s.getString("model").equals("H100-SXM5-80GB"))
                .findFirst()
                .orElseThrow();
        JsonObject four = sxm5.getJsonArray("flavors").stream()
                .map(JsonObject.class::cast)
                .filter(f -> f.getInteger("gpu_count") == 4)
                .findFirst()
                .orElseThrow();
        assertThat(four.getInteger("vcpus")).isEqualTo(176);
        assertThat(four.getInteger("ram_gb")).isEqualTo(740);
        JsonArray images = api("GET", "/os-images/", null).data().getJsonArray("images");
        assertThat(images.getJsonObject(0).getString("name")).isEqualTo("Ubuntu 24.04 + CUDA 12.8 Open + Docker");
    }

    @Test
    void catalogIsDeterministicAndServesTwentyThousandOffers() throws Exception {
        var a = new BarrackCatalog(7, 20_000, new java.util.Random(1));
        var b = new BarrackCatalog(7, 20_000, new java.util.Random(2));
        assertThat(a.live()).isEqualTo(b.live());
        assertThat(a.live().values().stream().mapToInt(Integer::intValue).sum()).isGreaterThan(20_000);
        assertThat(a.live().keySet()).anyMatch(k -> k.startsWith("FINLAND-3|B300-262GB|"));

        SimConfig big = new SimConfig().set("barrack.offers", "20000").set("barrack.path.list", "/vms/");
        try (Simulators s = Simulators.startOne(new BarrackSim(big, new SimClock(Instant.now(), 300)), 0)) {
            BarrackSim bigSim = (BarrackSim) s.get("barrack");
            long t0 = System.nanoTime();
            Resp r = request("GET", bigSim.baseUrl() + "/gpu-stocks/", null, bigSim.apiKey());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            int gpus = r.data().getJsonArray("stocks").stream()
                    .map(JsonObject.class::cast)
                    .flatMap(region -> region.getJsonArray("models").stream().map(JsonObject.class::cast))
                    .mapToInt(m -> Integer.parseInt(m.getString("available")))
                    .sum();
            assertThat(gpus).isGreaterThan(20_000);
            assertThat(request("GET", bigSim.baseUrl() + "/vms/", null, bigSim.apiKey())
                            .status())
                    .isEqualTo(200);
            assertThat(request("GET", bigSim.baseUrl() + "/instances/", null, bigSim.apiKey())
                            .status())
                    .isEqualTo(404);
        }
    }

    @Test
    void missingOrWrongApiKeyIsRejectedWith401AndBearerIsNotAccepted() throws Exception {
        Resp missing = request("GET", sim.baseUrl() + "/instances/", null, null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().getBoolean("success")).isFalse();
        assertThat(missing.json().getString("error")).isEqualTo("not_authenticated");
        assertThat(missing.json().getString("message")).contains("X-API-Key");

        Resp wrong = request("POST", sim.baseUrl() + "/deploy-server/", deployBody("x"), "sk_wrong");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().getString("error")).isEqualTo("authentication_failed");

        var bearer = HTTP.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.baseUrl() + "/balance/"))
                        .header("Authorization", "Bearer " + sim.apiKey())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(bearer.statusCode()).isEqualTo(401);
        assertThat(controlView0Count()).isZero();
    }

    private static int controlView0Count() throws Exception {
        return control("GET", "/instances", null)
                .json()
                .getJsonArray("instances")
                .size();
    }

    @Test
    void deployReturnsTheDocumentedResponseAndTheVmBecomesActiveWithAPublicIp() throws Exception {
        Resp r = api(
                "POST",
                "/deploy-server/",
                deployBody("gpub-dep1-sess-abc123")
                        .put(
                                "volumes",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("name", "data")
                                                .put("size", 200)
                                                .put("volume_type", "SSD"))));
        assertThat(r.status()).isEqualTo(201);
        JsonObject body = r.json();
        assertThat(body.getBoolean("success")).isTrue();
        assertThat(body.getString("message")).isEqualTo("VM deployed successfully");
        assertThat(body.getString("request_id")).matches("[0-9a-f]{8}");
        assertThat(Instant.parse(body.getString("timestamp"))).isNotNull();
        assertThat(body.getString("tier")).isEqualTo("legacy");
        JsonObject d = r.data();
        assertThat(d.getString("instance_id")).matches("BRK-[A-Z0-9]{7}");
        assertThat(d.getString("vm_name")).isEqualTo("gpub-dep1-sess-abc123");
        assertThat(d.getString("region")).isEqualTo("CANADA-1");
        assertThat(d.containsKey("ip_address")).isTrue();
        assertThat(d.getValue("ip_address")).isNull();
        assertThat(d.getString("ip_status")).isEqualTo("pending");
        assertThat(d.getString("status")).isEqualTo("CREATING");
        assertThat(d.getString("boot_source")).isEqualTo("image");
        assertThat(d.getString("operating_system")).isEqualTo("Ubuntu Server 22.04 LTS R535 CUDA 12.2");
        assertThat(d.getJsonObject("features").getBoolean("startup_script_configured"))
                .isFalse();
        assertThat(Instant.parse(d.getString("created_at"))).isNotNull();
        JsonObject billing = d.getJsonObject("billing");
        JsonObject gpu =
                billing.getJsonObject("breakdown").getJsonObject("compute").getJsonObject("gpu");
        assertThat(gpu.getString("model")).isEqualTo("RTX-A6000");
        assertThat(gpu.getInteger("count")).isEqualTo(1);
        assertThat(gpu.getDouble("hourly_rate")).isEqualTo(0.59);
        JsonObject storage = billing.getJsonObject("breakdown").getJsonObject("storage");
        assertThat(storage.getJsonObject("os_volume").getInteger("size_gb")).isEqualTo(100);
        assertThat(storage.getJsonObject("os_volume").getString("type")).isEqualTo("SSD");
        assertThat(storage.getJsonObject("os_volume").getDouble("hourly_rate")).isEqualTo(0.0098);
        assertThat(storage.getJsonArray("data_volumes")).hasSize(1);
        assertThat(storage.getDouble("data_volumes_total")).isEqualTo(0.0195);
        assertThat(billing.getDouble("total_hourly_rate")).isEqualTo(0.6193);
        assertThat(billing.getString("currency")).isEqualTo("USD");
        JsonObject specs = d.getJsonObject("specs");
        assertThat(specs.getString("gpu_type")).isEqualTo("RTX-A6000");
        assertThat(specs.getInteger("gpu_count")).isEqualTo(1);
        assertThat(specs.getInteger("ram_gb")).isPositive();
        assertThat(specs.getInteger("vcpus")).isPositive();
        assertThat(specs.getInteger("storage_gb")).isEqualTo(300);

        String id = d.getString("instance_id");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> instance(id).getString("status"), s -> s.equals("BUILD") || s.equals("ACTIVE"));
        JsonObject active = awaitReachable(id);
        assertThat(active.getString("ip_status")).isEqualTo("attached");
        assertThat(active.getString("ip_address")).isEqualTo("127.0.0.1");
        assertThat(active.getInteger("ssh_port")).isPositive();
        assertThat(controlView(id).getString("tag")).isEqualTo("gpub-dep1-sess-abc123");

        Resp list = api("GET", "/instances/?page=1&page_size=10", null);
        assertThat(list.data().getJsonArray("instances").getJsonObject(0).getString("instance_id"))
                .isEqualTo(id);
        assertThat(list.json().getJsonObject("pagination").getInteger("total_count"))
                .isEqualTo(1);
        assertThat(list.json().getJsonObject("pagination").getInteger("page_size"))
                .isEqualTo(10);
    }

    @Test
    void sshAcceptsTheRegisteredKeyAsUbuntuPlusCloudInitKeysAndRejectsAnyOtherKey() throws Exception {
        KeyPair cloudInitKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        Resp r = api(
                "POST",
                "/deploy-server/",
                deployBody("ssh-test")
                        .put(
                                "cloud_init",
                                "#cloud-config\nssh_authorized_keys:\n  - " + publicKey(cloudInitKey) + "\n"));
        JsonObject vm = awaitReachable(r.data().getString("instance_id"));
        int port = vm.getInteger("ssh_port");

        assertThat(exec(port, "ubuntu", brokerKey, "echo ok")).isEqualTo("ok\n");
        assertThat(exec(
                        port,
                        "ubuntu",
                        brokerKey,
                        "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits"))
                .isEqualTo("NVIDIA RTX A6000, 49140\n");
        assertThat(exec(port, "ubuntu", cloudInitKey, "whoami")).isEqualTo("ubuntu\n");
        assertThatThrownBy(() -> exec(port, "ubuntu", otherKey, "echo ok")).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> exec(port, "root", brokerKey, "echo ok")).isInstanceOf(Exception.class);
    }

    @Test
    void deployRefusesAnUnregisteredKeyNameAndInvalidRequests() throws Exception {
        Resp unknownKey = api("POST", "/deploy-server/", deployBody("x").put("ssh_key", "nope"));
        assertThat(unknownKey.status()).isEqualTo(404);
        assertThat(unknownKey.json().getBoolean("success")).isFalse();
        assertThat(unknownKey.json().getString("message")).contains("nope");
        assertThat(api("POST", "/deploy-server/", deployBody("x").put("gpu_model", "RTX-4090"))
                        .status())
                .isEqualTo(400);
        assertThat(api("POST", "/deploy-server/", deployBody("x").put("region", "FINLAND-1"))
                        .status())
                .isEqualTo(400);
        assertThat(api("POST", "/deploy-server/", deployBody("x").put("gpu_count", 3))
                        .status())
                .isEqualTo(400);
        assertThat(api("POST", "/deploy-server/", deployBody("x").put("gpu_count", 8))
                        .status())
                .isEqualTo(400);
        assertThat(api("POST", "/deploy-server/", deployBody("x").putNull("image_name"))
                        .status())
                .isEqualTo(400);
        Resp volume = api(
                "POST",
                "/deploy-server/",
                deployBody("x").put("boot_from_volume", true).put("volume_id", "vol-1"));
        assertThat(volume.status()).isEqualTo(404);
        assertThat(control("GET", "/instances", null).json().getInteger("live")).isZero();
    }

    @Test
    void deployChecksBalanceWith402AndGpuQuotaWith413() throws Exception {
        control("POST", "/balance", new JsonObject().put("balance", 0.1));
        Resp poor = api("POST", "/deploy-server/", deployBody("poor"));
        assertThat(poor.status()).isEqualTo(402);
        assertThat(poor.json().getString("error")).isEqualTo("insufficient_balance");
        control("POST", "/balance", new JsonObject().put("balance", 500));

        config.set("barrack.gpu-quota", "1");
        try {
            deploy("first");
            Resp over = api("POST", "/deploy-server/", deployBody("second"));
            assertThat(over.status()).isEqualTo(413);
            assertThat(over.json().getString("error")).isEqualTo("resource_limit_exceeded");
        } finally {
            config.set("barrack.gpu-quota", "64");
        }
    }

    @Test
    void deleteClosesSshStopsBillingAndTheVmDisappears() throws Exception {
        String id = deploy("to-delete");
        int port = awaitReachable(id).getInteger("ssh_port");
        assertThat(exec(port, "ubuntu", brokerKey, "echo up")).isEqualTo("up\n");

        Resp del = api("DELETE", "/instances/" + id + "/", null);
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json().getBoolean("success")).isTrue();
        assertThat(del.data().getString("instance_id")).isEqualTo(id);
        assertThat(del.data().getString("status")).isEqualTo("DELETING");
        JsonObject view = controlView(id);
        assertThat(view.getBoolean("billing")).isFalse();
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .untilAsserted(() -> assertThatThrownBy(() -> exec(port, "ubuntu", brokerKey, "echo up"))
                        .isInstanceOf(Exception.class));
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> api("GET", "/instances/" + id + "/", null).status() == 404);
        assertThat(api("GET", "/instances/", null).data().getJsonArray("instances"))
                .isEmpty();
        assertThat(controlView(id).getString("accrued_cost")).isEqualTo(view.getString("accrued_cost"));
        assertThat(api("DELETE", "/instances/" + id + "/", null).status()).isEqualTo(404);
    }

    @Test
    void capacityRunsOutWith503AndComesBackAfterDelete() throws Exception {
        control(
                "POST",
                "/stock",
                new JsonObject()
                        .put("region", "CANADA-1")
                        .put("gpu_model", "RTX-A6000")
                        .put("gpu_count", 1)
                        .put("available", 1)
                        .put("refresh", true));
        String id = deploy("only-one");
        Resp none = api("POST", "/deploy-server/", deployBody("two"));
        assertThat(none.status()).isEqualTo(503);
        assertThat(none.json().getString("error")).isEqualTo("insufficient_capacity");
        assertThat(control("GET", "/stock", null).json().getJsonObject("live").getInteger(STOCK))
                .isZero();

        api("DELETE", "/instances/" + id + "/", null);
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> control("GET", "/stock", null)
                                .json()
                                .getJsonObject("live")
                                .getInteger(STOCK)
                        == 1);
        assertThat(api("POST", "/deploy-server/", deployBody("two")).status()).isEqualTo(201);
    }

    @Test
    void staleStockSnapshotStillAdvertisesCapacityThatDeployAnswersWith503() throws Exception {
        control(
                "POST",
                "/stock",
                new JsonObject()
                        .put("region", "CANADA-1")
                        .put("gpu_model", "RTX-A6000")
                        .put("gpu_count", 1)
                        .put("available", 0));
        JsonObject advertised = api("GET", "/gpu-stocks/?region=CANADA-1&gpu_model=RTX-A6000", null)
                .data()
                .getJsonArray("stocks")
                .getJsonObject(0)
                .getJsonArray("models")
                .getJsonObject(0);
        assertThat(advertised.getJsonObject("configurations").getInteger("1x")).isEqualTo(10);

        Resp stale = api("POST", "/deploy-server/", deployBody("stale"));
        assertThat(stale.status()).isEqualTo(503);
        assertThat(stale.json().getBoolean("success")).isFalse();
        assertThat(stale.json().getString("message")).contains("No GPU availability");

        control("POST", "/stock/refresh", null);
        assertThat(api("GET", "/gpu-stocks/?region=CANADA-1&gpu_model=RTX-A6000", null)
                        .data()
                        .getJsonArray("stocks")
                        .getJsonObject(0)
                        .getJsonArray("models")
                        .getJsonObject(0)
                        .getJsonObject("configurations")
                        .getInteger("1x"))
                .isZero();
    }

    @Test
    void pricesDriftWhileCreatedInstancesKeepTheirPrice() throws Exception {
        String id = deploy("fixed-price");
        double before = instance(id).getJsonObject("billing").getDouble("total_hourly_rate");
        control(
                "POST",
                "/prices",
                new JsonObject().put("gpu_model", "RTX-A6000").put("usd", 0.65));
        Resp pricing = api("GET", "/pricing/?gpu_model=RTX-A6000", null);
        assertThat(pricing.json()
                        .getJsonObject("pricing_data")
                        .getJsonObject("gpus")
                        .getJsonObject("pricing")
                        .getJsonObject("legacy")
                        .getJsonObject("RTX-A6000")
                        .getJsonObject("prices")
                        .getDouble("USD"))
                .isEqualTo(0.65);
        assertThat(instance(id).getJsonObject("billing").getDouble("total_hourly_rate"))
                .isEqualTo(before);
        String second = deploy("new-price");
        assertThat(instance(second)
                        .getJsonObject("billing")
                        .getJsonObject("breakdown")
                        .getJsonObject("compute")
                        .getJsonObject("gpu")
                        .getDouble("hourly_rate"))
                .isEqualTo(0.65);

        JsonObject drifted = control("POST", "/prices", null).json().getJsonObject("prices");
        assertThat(drifted.getDouble("H200-141GB")).isNotEqualTo(3.49).isBetween(3.49 * 0.97, 3.49 * 1.03);
    }

    @Test
    void instanceBillingAndCreditBalanceExposeTheAccruedCost() throws Exception {
        String id = deploy("billed");
        awaitReachable(id);
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> controlView(id).getDouble("accrued_cost") > 0.001);
        Resp bill = api("GET", "/instances/" + id + "/billing/", null);
        assertThat(bill.status()).isEqualTo(200);
        JsonObject b = bill.data();
        assertThat(b.getString("instance_id")).isEqualTo(id);
        assertThat(b.getString("currency")).isEqualTo("USD");
        assertThat(b.getDouble("hourly_rate")).isEqualTo(0.5998);
        assertThat(b.getDouble("total_cost")).isPositive();
        assertThat(b.getLong("billed_minutes")).isPositive();
        assertThat(b.getJsonArray("billing_records").getJsonObject(0).getString("status"))
                .isEqualTo("ACTIVE");

        api("DELETE", "/instances/" + id + "/", null);
        double total = controlView(id).getDouble("accrued_cost");
        Thread.sleep(50);
        Resp after = api("GET", "/instances/" + id + "/billing/", null);
        assertThat(after.data().getDouble("total_cost")).isEqualTo(total);
        JsonObject balance = api("GET", "/balance/", null).data();
        assertThat(balance.getString("currency")).isEqualTo("USD");
        assertThat(balance.getDouble("balance")).isCloseTo(1000.0 - total, org.assertj.core.data.Offset.offset(0.0002));
    }

    @Test
    void stopKeepsBillingAtFullRateInShutoffAndStartReturnsToActiveWithSsh() throws Exception {
        String id = deploy("stop-start");
        awaitReachable(id);
        Resp stop = api("POST", "/instances/" + id + "/stop/", null);
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.data().getString("status")).isEqualTo("STOPPING");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> instance(id).getString("status").equals("SHUTOFF"));
        assertThat(controlView(id).getBoolean("billing")).isTrue();
        assertThat(api("POST", "/instances/" + id + "/stop/", null).status()).isEqualTo(400);

        assertThat(api("POST", "/instances/" + id + "/start/", null).data().getString("status"))
                .isEqualTo("STARTING");
        awaitReachable(id);
        // the restarted VM's SSH may still be coming up: a refused connection is retried, with the port read afresh
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(
                                exec(awaitReachable(id).getInteger("ssh_port"), "ubuntu", brokerKey, "echo back"))
                        .isEqualTo("back\n"));
    }

    @Test
    void hibernationReleasesCapacityAndRestoreNeedsItBack() throws Exception {
        control(
                "POST",
                "/stock",
                new JsonObject()
                        .put("region", "CANADA-1")
                        .put("gpu_model", "RTX-A6000")
                        .put("gpu_count", 1)
                        .put("available", 1)
                        .put("refresh", true));
        String id = deploy("sleepy");
        awaitReachable(id);
        assertThat(api("POST", "/instances/" + id + "/hibernate/", null).data().getString("status"))
                .isEqualTo("HIBERNATING");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> instance(id).getString("status").equals("HIBERNATED"));
        assertThat(control("GET", "/stock", null).json().getJsonObject("live").getInteger(STOCK))
                .isEqualTo(1);
        String thief = deploy("thief");
        assertThat(api("POST", "/instances/" + id + "/restore/", null).status()).isEqualTo(503);
        api("DELETE", "/instances/" + thief + "/", null);
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> api("POST", "/instances/" + id + "/restore/", null).status() == 200);
        awaitReachable(id);
    }

    @Test
    void togglePublicIpDetachesAndReattachesTheAddress() throws Exception {
        String id = deploy("ip");
        awaitReachable(id);
        Resp off = api("POST", "/instances/" + id + "/toggle-public-ip/", null);
        assertThat(off.data().getValue("ip_address")).isNull();
        assertThat(off.data().getString("ip_status")).isEqualTo("detached");
        api("POST", "/instances/" + id + "/toggle-public-ip/", null);
        awaitReachable(id);
    }

    @Test
    void sshKeyApiImportsGeneratesListsAndDeletesKeys() throws Exception {
        JsonArray keys = api("GET", "/ssh-keys/", null).data().getJsonArray("ssh_keys");
        assertThat(keys).hasSize(1);
        JsonObject imported = keys.getJsonObject(0);
        assertThat(imported.getString("name")).isEqualTo("broker-key");
        assertThat(imported.getInteger("id")).isEqualTo(1);
        assertThat(imported.getString("fingerprint")).startsWith("SHA256:");
        assertThat(imported.containsKey("private_key")).isFalse();
        assertThat(api(
                                "POST",
                                "/ssh-keys/",
                                new JsonObject().put("name", "broker-key").put("public_key", publicKey(otherKey)))
                        .status())
                .isEqualTo(400);
        assertThat(api("POST", "/ssh-keys/", new JsonObject().put("name", "bad name!"))
                        .status())
                .isEqualTo(400);
        assertThat(api(
                                "POST",
                                "/ssh-keys/",
                                new JsonObject().put("name", "junk").put("public_key", "not a key"))
                        .status())
                .isEqualTo(400);

        Resp gen = api("POST", "/ssh-keys/", new JsonObject().put("name", "generated.key"));
        assertThat(gen.status()).isEqualTo(201);
        String pem = gen.data().getString("private_key");
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(gen.data().getString("public_key")).startsWith("ssh-rsa ");
        int genId = gen.data().getInteger("id");
        assertThat(api("GET", "/ssh-keys/" + genId + "/", null).data().containsKey("private_key"))
                .isFalse();

        JsonObject body = deployBody("generated").put("ssh_key", "generated.key");
        Resp dep = api("POST", "/deploy-server/", body);
        int port = awaitReachable(dep.data().getString("instance_id")).getInteger("ssh_port");
        PrivateKey priv = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                        .decode(pem.replace("-----BEGIN PRIVATE KEY-----", "")
                                .replace("-----END PRIVATE KEY-----", ""))));
        PublicKey pub = AuthorizedKeyEntry.parseAuthorizedKeyEntry(gen.data().getString("public_key"))
                .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        assertThat(exec(port, "ubuntu", new KeyPair(pub, priv), "echo generated"))
                .isEqualTo("generated\n");

        assertThat(api("DELETE", "/ssh-keys/generated.key/", null).status()).isEqualTo(200);
        assertThat(api("GET", "/ssh-keys/" + genId + "/", null).status()).isEqualTo(404);
    }
}
