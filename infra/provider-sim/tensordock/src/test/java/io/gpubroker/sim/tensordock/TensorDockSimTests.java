package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.tensordock.TdTestSupport.attrs;
import static io.gpubroker.sim.tensordock.TdTestSupport.awaitSsh;
import static io.gpubroker.sim.tensordock.TdTestSupport.createBody;
import static io.gpubroker.sim.tensordock.TdTestSupport.exec;
import static io.gpubroker.sim.tensordock.TdTestSupport.newKey;
import static io.gpubroker.sim.tensordock.TdTestSupport.publicLine;
import static io.gpubroker.sim.tensordock.TdTestSupport.sshPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TensorDockSimTests {

    static TdTestSupport td;

    @BeforeAll
    static void start() {
        td = new TdTestSupport(TdTestSupport.testConfig());
    }

    @AfterAll
    static void stop() {
        td.close();
    }

    @BeforeEach
    void reset() {
        td.reset();
    }

    // ---------------------------------------------------------------- catalog

    @Test
    void locationsListGpusInTheDocumentedShapeAndRepeatWithTheSeed() {
        TdTestSupport.Res r = td.call("GET", "/locations", null);
        assertThat(r.status()).isEqualTo(200);
        JsonArray locations = r.json().getJsonObject("data").getJsonArray("locations");
        assertThat(locations).isNotEmpty();
        int gpus = 0;
        for (Object o : locations) {
            JsonObject loc = (JsonObject) o;
            assertThat(loc.getString("id")).matches("[0-9a-f-]{36}");
            assertThat(loc.getString("city")).isNotBlank();
            assertThat(loc.getString("stateprovince")).isNotBlank();
            assertThat(loc.getString("country")).isNotBlank();
            assertThat(loc.getInteger("tier")).isBetween(1, 3);
            for (Object g : loc.getJsonArray("gpus")) {
                JsonObject gpu = (JsonObject) g;
                gpus++;
                assertThat(gpu.getString("v0Name")).matches("[a-z0-9]+-(pcie|sxm\\d)-\\d+gb");
                assertThat(gpu.getString("displayName")).startsWith("NVIDIA ");
                assertThat(gpu.getValue("max_count")).isInstanceOf(Integer.class);
                assertThat(gpu.getInteger("max_count")).isPositive();
                assertThat(gpu.getDouble("price_per_hr")).isPositive();
                JsonObject res = gpu.getJsonObject("resources");
                assertThat(res.getInteger("max_vcpus")).isPositive();
                assertThat(res.getInteger("max_ram_gb")).isPositive();
                assertThat(res.getInteger("max_storage_gb")).isGreaterThanOrEqualTo(100);
                JsonObject pricing = gpu.getJsonObject("pricing");
                assertThat(pricing.getDouble("per_vcpu_hr")).isPositive();
                assertThat(pricing.getDouble("per_gb_ram_hr")).isPositive();
                assertThat(pricing.getDouble("per_gb_storage_hr")).isPositive();
                JsonObject net = gpu.getJsonObject("network_features");
                assertThat(net.getValue("dedicated_ip_available")).isInstanceOf(Boolean.class);
                assertThat(net.getBoolean("port_forwarding_available")).isTrue();
                assertThat(net.getValue("network_storage_available")).isInstanceOf(Boolean.class);
            }
        }
        assertThat(gpus).isPositive();
        try (TdTestSupport twin = new TdTestSupport(TdTestSupport.testConfig())) {
            assertThat(twin.call("GET", "/locations", null).json()).isEqualTo(r.json());
        }
    }

    @Test
    void hostnodesFollowTheSeedShapeAndTheSingleHostnodeListsItsPorts() {
        JsonArray list =
                td.call("GET", "/hostnodes", null).json().getJsonObject("data").getJsonArray("hostnodes");
        assertThat(list).hasSize(30);
        JsonObject hn = list.getJsonObject(0);
        assertThat(hn.getString("id")).matches("[0-9a-f-]{36}");
        assertThat(hn.getString("location_id")).matches("[0-9a-f-]{36}");
        assertThat(hn.getString("engine")).isEqualTo("Narwhal");
        assertThat(hn.getDouble("uptime_percentage")).isBetween(80.0, 100.0);
        JsonObject avail = hn.getJsonObject("available_resources");
        JsonObject gpu = avail.getJsonArray("gpus").getJsonObject(0);
        assertThat(gpu.getString("v0Name")).isNotBlank();
        assertThat(gpu.getValue("availableCount")).isInstanceOf(Integer.class);
        assertThat(gpu.getDouble("price_per_hr")).isPositive();
        assertThat(avail.getInteger("vcpu_count")).isPositive();
        assertThat(avail.getInteger("ram_gb")).isPositive();
        assertThat(avail.getInteger("storage_gb")).isPositive();
        assertThat(avail.containsKey("available_ports")).isFalse();
        assertThat(hn.getJsonObject("pricing").fieldNames())
                .containsExactlyInAnyOrder("per_vcpu_hr", "per_gb_ram_hr", "per_gb_storage_hr");
        assertThat(hn.getJsonObject("location").fieldNames())
                .contains(
                        "uuid",
                        "city",
                        "stateprovince",
                        "country",
                        "has_network_storage",
                        "network_speed_gbps",
                        "network_speed_upload_gbps",
                        "organization",
                        "organizationName",
                        "tier");

        JsonObject one =
                td.call("GET", "/hostnodes/" + hn.getString("id"), null).json().getJsonObject("data");
        assertThat(one.getString("id")).isEqualTo(hn.getString("id"));
        assertThat(one.getJsonObject("available_resources").getJsonArray("available_ports"))
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p).isInstanceOf(Integer.class));

        TdTestSupport.Res missing = td.call("GET", "/hostnodes/00000000-0000-0000-0000-000000000000", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().getString("error")).isNotBlank();
    }

    @Test
    void hostnodeQueryFiltersNarrowTheListing() {
        String v0Name = td.pickOffer().v0Name();
        JsonArray filtered = td.call("GET", "/hostnodes?gpu=" + v0Name + "&min_gpu_count=1", null)
                .json()
                .getJsonObject("data")
                .getJsonArray("hostnodes");
        assertThat(filtered).isNotEmpty().hasSizeLessThan(30).allSatisfy(o -> {
            JsonObject g = ((JsonObject) o)
                    .getJsonObject("available_resources")
                    .getJsonArray("gpus")
                    .getJsonObject(0);
            assertThat(g.getString("v0Name")).isEqualTo(v0Name);
            assertThat(g.getInteger("availableCount")).isPositive();
        });
        assertThat(td.call("GET", "/hostnodes?max_price=0.0001", null)
                        .json()
                        .getJsonObject("data")
                        .getJsonArray("hostnodes"))
                .isEmpty();
        assertThat(td.call("GET", "/hostnodes?min_gpu_count=abc", null).status())
                .isEqualTo(400);
    }

    // ---------------------------------------------------------------- auth

    @Test
    void missingOrWrongKeyGetsTensorDocks401AndBearerIsRequired() {
        for (String path : List.of("/instances", "/secrets", "/hostnodes", "/locations")) {
            TdTestSupport.Res missing = td.call("GET", path, null, null);
            assertThat(missing.status()).as(path).isEqualTo(401);
            assertThat(missing.json().getString("error")).contains("Unauthorized");
            TdTestSupport.Res wrong = td.call("GET", path, null, "Bearer not-the-key");
            assertThat(wrong.status()).as(path).isEqualTo(401);
            assertThat(wrong.json().getString("error")).contains("invalid API token");
        }
        assertThat(td.call("GET", "/instances", null, td.sim.apiKey()).status()).isEqualTo(401);
        assertThat(td.call("POST", "/instances", createBody("x", td.pickOffer(), publicLine(newKey())), "Bearer nope")
                        .status())
                .isEqualTo(401);
        assertThat(td.call("POST", "/auth/test", null).json().getBoolean("success"))
                .isTrue();
        // older clients pass the token as a query parameter to /locations
        assertThat(td.call("GET", "/locations?api_token=" + td.sim.apiKey(), null, null)
                        .status())
                .isEqualTo(200);
        assertThat(td.call("GET", "/instances?api_token=" + td.sim.apiKey(), null, null)
                        .status())
                .isEqualTo(401);
    }

    @Test
    void theJsonApiErrorVariantCanBeSwitchedOn() {
        td.call("POST", "/_sim/settings", new JsonObject().put("error_body", "errors"));
        TdTestSupport.Res r = td.call("GET", "/instances/nope", null);
        assertThat(r.status()).isEqualTo(404);
        JsonObject err = r.json().getJsonArray("errors").getJsonObject(0);
        assertThat(err.getString("status")).isEqualTo("404");
        assertThat(err.getString("title")).isEqualTo("Not Found");
        assertThat(err.getString("detail")).isEqualTo("Instance not found");
    }

    // ---------------------------------------------------------------- create, state machine, SSH

    @Test
    void aCreatedVmBootsToRunningAndSshAcceptsOnlyTheKeyFromItsSshKeyAttribute() throws Exception {
        KeyPair key = newKey();
        TdTestSupport.Pick pick = td.pickOffer();
        JsonObject body = createBody("gpub-dep1-sess-abc123", pick, publicLine(key));
        attrs(body)
                .getJsonArray("port_forwards")
                .add(new JsonObject().put("internal_port", 80).put("external_port", 20001));
        TdTestSupport.Res r = td.call("POST", "/instances", body);
        assertThat(r.status()).isEqualTo(200);
        JsonObject data = r.json().getJsonObject("data");
        assertThat(data.getString("type")).isEqualTo("virtualmachine");
        assertThat(data.getString("id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(data.getString("name")).isEqualTo("gpub-dep1-sess-abc123");
        assertThat(data.getString("status")).isEqualTo("running");
        assertThat(data.containsKey("ipAddress")).isFalse();
        String id = data.getString("id");

        JsonObject vm =
                td.awaitInstance(id, i -> "running".equals(i.getString("status")) && i.getString("ipAddress") != null);
        assertThat(vm.getString("type")).isEqualTo("virtualmachine");
        assertThat(vm.getString("name")).isEqualTo("gpub-dep1-sess-abc123");
        assertThat(vm.getString("ipAddress")).isEqualTo("127.0.0.1");
        assertThat(vm.getDouble("rateHourly")).isPositive();
        assertThat(vm.getString("location_id")).isEqualTo(pick.locationId());
        JsonArray forwards = vm.getJsonArray("portForwards");
        assertThat(forwards).hasSize(2);
        JsonObject http = forwards.getJsonObject(1);
        assertThat(http.getInteger("internal_port")).isEqualTo(80);
        // an app port's forward is a real loopback port (where `docker run -p 80:...` answers), not the one asked for
        assertThat(http.getInteger("external_port"))
                .isPositive()
                .isNotEqualTo(20001)
                .isEqualTo(td.controlView(id).getJsonObject("app_ports").getInteger("80"));
        int port = sshPort(vm);

        awaitSsh(port, "user", key);
        assertThat(exec(port, "user", key, "nvidia-smi --query-gpu=name --format=csv,noheader"))
                .isEqualTo(io.gpubroker.sim.core.GpuSpec.driverName(
                                td.controlView(id).getString("gpu")) + "\n");
        assertThatThrownBy(() -> exec(port, "user", newKey(), "echo ok")).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> exec(port, "root", key, "echo ok")).isInstanceOf(Exception.class);

        assertThat(td.controlView(id).getString("tag")).isEqualTo("gpub-dep1-sess-abc123");
        JsonArray listed =
                td.call("GET", "/instances", null).json().getJsonObject("data").getJsonArray("instances");
        assertThat(listed).hasSize(1);
        assertThat(listed.getJsonObject(0).getString("id")).isEqualTo(id);
        assertThat(listed.getJsonObject(0).getString("type")).isEqualTo("virtualmachine");
        assertThat(listed.getJsonObject(0).getJsonObject("attributes").getString("name"))
                .isEqualTo("gpub-dep1-sess-abc123");
        assertThat(listed.getJsonObject(0).getJsonObject("attributes").getString("status"))
                .isEqualTo("running");
    }

    @Test
    void theKeyBecomesUsableOnlyAfterCloudInitHasRun() throws Exception {
        try (TdTestSupport slow = new TdTestSupport(TdTestSupport.testConfig().set("tensordock.cloud-init", "600"))) {
            KeyPair key = newKey();
            String id = slow.create("gpub-dep1-late", publicLine(key));
            int port = sshPort(slow.awaitStatus(id, "running"));
            assertThat(slow.controlView(id).getBoolean("ssh_listening")).isTrue();
            assertThatThrownBy(() -> exec(port, "user", key, "echo ok")).isInstanceOf(Exception.class);
            awaitSsh(port, "user", key);
        }
    }

    @Test
    void anUploadedSecretAndCloudInitRuncmdInstallKeysForUserAndRoot() throws Exception {
        KeyPair secretKey = newKey();
        KeyPair runcmdKey = newKey();
        TdTestSupport.Res created = td.call(
                "POST",
                "/secrets",
                new JsonObject()
                        .put(
                                "data",
                                new JsonObject()
                                        .put("type", "secret")
                                        .put(
                                                "attributes",
                                                new JsonObject()
                                                        .put("name", "broker-key")
                                                        .put("value", publicLine(secretKey))
                                                        .put("type", "SSHKEY"))));
        assertThat(created.status()).isEqualTo(200);
        JsonObject secret = created.json().getJsonObject("data");
        assertThat(secret.getString("type")).isEqualTo("secret");
        assertThat(secret.getString("name")).isEqualTo("broker-key");
        String secretId = secret.getString("id");

        JsonObject listed = td.call("GET", "/secrets", null)
                .json()
                .getJsonObject("data")
                .getJsonArray("secrets")
                .getJsonObject(0);
        assertThat(listed.getString("type")).isEqualTo("SSHKEY");
        assertThat(listed.getString("id")).isEqualTo(secretId);
        assertThat(listed.getString("name")).isEqualTo("broker-key");
        assertThat(td.call("GET", "/secrets/" + secretId, null)
                        .json()
                        .getJsonObject("data")
                        .getString("value"))
                .isEqualTo(publicLine(secretKey));

        JsonObject body = createBody("gpub-dep1-sess-ci", td.pickOffer(), null);
        String line = publicLine(runcmdKey);
        attrs(body).remove("ssh_key");
        attrs(body)
                .put("ssh_key_id", secretId)
                .put(
                        "cloud_init",
                        new JsonObject()
                                .put(
                                        "runcmd",
                                        new JsonArray()
                                                .add("mkdir -p /root/.ssh /home/user/.ssh")
                                                .add("echo '" + line + "' >> /root/.ssh/authorized_keys")
                                                .add("echo '" + line + "' >> /home/user/.ssh/authorized_keys"))
                                .put("packages", new JsonArray().add("curl"))
                                .put("package_update", false)
                                .put("package_upgrade", false));
        TdTestSupport.Res r = td.call("POST", "/instances", body);
        assertThat(r.status()).isEqualTo(200);
        String id = r.json().getJsonObject("data").getString("id");
        int port = sshPort(td.awaitStatus(id, "running"));
        awaitSsh(port, "root", runcmdKey);
        assertThat(exec(port, "user", runcmdKey, "echo hi")).isEqualTo("hi\n");
        assertThat(exec(port, "user", secretKey, "echo hi")).isEqualTo("hi\n");

        TdTestSupport.Res deleted = td.call("DELETE", "/secrets/" + secretId, null);
        assertThat(deleted.json().getJsonObject("data").getString("type")).isEqualTo("success");
        assertThat(deleted.json().getJsonObject("data").getString("message")).isEqualTo("Secret deleted successfully");
        assertThat(td.call("GET", "/secrets/" + secretId, null).status()).isEqualTo(404);
    }

    @Test
    void withTheBug002SwitchOnlyTheCloudInitKeyGetsIn() throws Exception {
        td.call("POST", "/_sim/settings", new JsonObject().put("ssh_key_attribute_installs", false));
        KeyPair attributeKey = newKey();
        KeyPair runcmdKey = newKey();
        JsonObject body = createBody("gpub-dep1-bug002", td.pickOffer(), publicLine(attributeKey));
        attrs(body)
                .put(
                        "cloud_init",
                        new JsonObject()
                                .put(
                                        "runcmd",
                                        new JsonArray()
                                                .add("echo '" + publicLine(runcmdKey)
                                                        + "' >> /home/user/.ssh/authorized_keys")));
        String id =
                td.call("POST", "/instances", body).json().getJsonObject("data").getString("id");
        int port = sshPort(td.awaitStatus(id, "running"));
        awaitSsh(port, "user", runcmdKey);
        assertThatThrownBy(() -> exec(port, "user", attributeKey, "echo ok")).isInstanceOf(Exception.class);
    }

    @Test
    void invalidCreatesAreAnsweredWithAnArrayOfCodeMessagePath() {
        KeyPair key = newKey();
        JsonObject body = createBody("gpub-bad", td.pickOffer(), publicLine(key));
        attrs(body).put("ssh_key_id", "0b7a2e8e-0000-4000-8000-000000000000").remove("port_forwards");
        attrs(body).getJsonObject("resources").put("storage_gb", 50).put("vcpu_count", 3);
        TdTestSupport.Res r = td.call("POST", "/instances", body);
        assertThat(r.status()).isEqualTo(400);
        JsonArray issues = r.array();
        List<String> messages = new ArrayList<>();
        for (Object o : issues) {
            JsonObject i = (JsonObject) o;
            assertThat(i.getString("code")).isNotBlank();
            assertThat(i.getJsonArray("path")).isNotNull();
            messages.add(i.getString("message"));
        }
        assertThat(messages)
                .contains(
                        "Provide exactly one of ssh_key or ssh_key_id",
                        "Storage must be at least 100 GB",
                        "vCPU count must be an even number of at least 2",
                        "SSH port (22) must be forwarded for Ubuntu VMs");
        assertThat(td.call("POST", "/instances", "{not json").status()).isEqualTo(400);
        JsonObject unknownKey = createBody("gpub-bad", td.pickOffer(), null);
        attrs(unknownKey).remove("ssh_key");
        attrs(unknownKey).put("ssh_key_id", "nope");
        assertThat(td.call("POST", "/instances", unknownKey)
                        .array()
                        .getJsonObject(0)
                        .getJsonArray("path"))
                .containsExactly("data", "attributes", "ssh_key_id");
        assertThat(td.call("GET", "/_sim/instances", null).json().getInteger("live"))
                .isZero();
    }

    @Test
    void theListAndGetEnvelopeVariantsCanBeSelected() {
        String id = td.create("gpub-dep1-env", publicLine(newKey()));
        td.awaitStatus(id, "running");
        td.call(
                "POST",
                "/_sim/settings",
                new JsonObject().put("list_envelope", "flat").put("get_envelope", "data"));
        JsonObject item =
                td.call("GET", "/instances", null).json().getJsonArray("data").getJsonObject(0);
        assertThat(item.getString("id")).isEqualTo(id);
        assertThat(item.getString("name")).isEqualTo("gpub-dep1-env");
        assertThat(item.getString("status")).isEqualTo("running");
        assertThat(item.getString("gpu_model")).isNotBlank();
        assertThat(item.getInteger("gpu_count")).isEqualTo(1);
        assertThat(item.getInteger("vcpus")).isEqualTo(2);
        assertThat(item.getInteger("ram_gb")).isEqualTo(4);
        assertThat(item.getInteger("storage_gb")).isEqualTo(100);
        assertThat(item.getDouble("price_per_hour")).isPositive();
        assertThat(item.getString("created_at")).isNotBlank();
        assertThat(item.getString("location_id")).isNotBlank();
        JsonObject data = td.instance(id).getJsonObject("data");
        assertThat(data.getString("id")).isEqualTo(id);
        assertThat(data.getJsonObject("attributes").getString("status")).isEqualTo("running");
        assertThat(data.getJsonObject("attributes").getString("ipAddress")).isEqualTo("127.0.0.1");
    }

    @Test
    void stopAndStartFollowTheStateMachineAndAStoppedVmBillsOnlyStorage() throws Exception {
        KeyPair key = newKey();
        String id = td.create("gpub-dep1-stop", publicLine(key));
        int port = sshPort(td.awaitStatus(id, "running"));
        awaitSsh(port, "user", key);
        double rate = td.instance(id).getDouble("rateHourly");

        TdTestSupport.Res stop = td.call("POST", "/instances/" + id + "/stop", null);
        JsonObject data = stop.json().getJsonObject("data");
        assertThat(data.getString("type")).isEqualTo("instance");
        assertThat(data.getString("id")).isEqualTo(id);
        assertThat(data.getJsonObject("attributes").getString("status")).isEqualTo("stopping");
        td.awaitStatus(id, "stopped");
        TdTestSupport.awaitSshRefused(port, "user", key);
        double hourly = td.call("GET", "/billing/balance", null)
                .json()
                .getJsonObject("data")
                .getDouble("hourly_spend");
        assertThat(hourly)
                .isPositive()
                .isLessThan(rate)
                .isCloseTo(100 * 0.00005, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(td.call("POST", "/instances/" + id + "/stop", null).status()).isEqualTo(400);

        TdTestSupport.Res start = td.call("POST", "/instances/" + id + "/start", null);
        assertThat(start.json()
                        .getJsonObject("data")
                        .getJsonObject("attributes")
                        .getString("status"))
                .isEqualTo("starting");
        int newPort = sshPort(td.awaitStatus(id, "running"));
        awaitSsh(newPort, "user", key);
        assertThat(td.instance(id).getDouble("rateHourly")).isEqualTo(rate);
    }

    @Test
    void aStoppedVmIsDisassociatedAndCannotStartWhenItsGpusAreGone() {
        String id = td.create("gpub-dep1-disassoc", publicLine(newKey()));
        td.awaitStatus(id, "running");
        String hostnode = td.instance(id).getString("hostnode_id");
        td.call("POST", "/instances/" + id + "/stop", null);
        td.awaitStatus(id, "StoppedDisassociated");
        td.call("POST", "/_sim/hostnodes/" + hostnode + "/gone", null);
        TdTestSupport.Res refused = td.call("POST", "/instances/" + id + "/start", null);
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.json().getInteger("status")).isEqualTo(400);
        assertThat(refused.json().getString("error")).isEqualTo("No available nodes found");
        td.call("POST", "/_sim/hostnodes/" + hostnode + "/restore", null);
        assertThat(td.call("POST", "/instances/" + id + "/start", null)
                        .json()
                        .getJsonObject("data")
                        .getJsonObject("attributes")
                        .getString("status"))
                .isEqualTo("starting");
        td.awaitStatus(id, "running");
    }

    @Test
    void destroyClosesSshStopsBillingAndASecondDeleteIs404() throws Exception {
        KeyPair key = newKey();
        String id = td.create("gpub-dep1-del", publicLine(key));
        int port = sshPort(td.awaitStatus(id, "running"));
        awaitSsh(port, "user", key);
        assertThat(td.controlView(id).getBoolean("billing")).isTrue();

        TdTestSupport.Res del = td.call("DELETE", "/instances/" + id, null);
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json().getJsonObject("data").getString("type")).isEqualTo("success");
        assertThat(del.json().getJsonObject("data").getJsonObject("attributes").getString("message"))
                .isEqualTo("Instance deleted successfully");
        assertThat(td.call("GET", "/instances/" + id, null).status()).isEqualTo(404);
        assertThat(td.call("DELETE", "/instances/" + id, null).status()).isEqualTo(404);
        assertThat(td.call("GET", "/instances", null)
                        .json()
                        .getJsonObject("data")
                        .getJsonArray("instances"))
                .isEmpty();
        JsonObject view = td.controlView(id);
        assertThat(view.getBoolean("billing")).isFalse();
        assertThat(view.getBoolean("destroyed")).isTrue();
        String accrued = String.valueOf(view.getValue("accrued_cost"));
        TdTestSupport.awaitSshRefused(port, "user", key);
        Thread.sleep(50);
        assertThat(String.valueOf(td.controlView(id).getValue("accrued_cost"))).isEqualTo(accrued);
    }

    // ---------------------------------------------------------------- capacity, stale inventory, prices, billing

    @Test
    void capacityRunsOutOnAHostnodeAndComesBackOnDestroy() {
        JsonObject hn = td.call("GET", "/hostnodes?min_gpu_count=1", null)
                .json()
                .getJsonObject("data")
                .getJsonArray("hostnodes")
                .getJsonObject(0);
        String hostnode = hn.getString("id");
        JsonObject gpu =
                hn.getJsonObject("available_resources").getJsonArray("gpus").getJsonObject(0);
        int capacity = gpu.getInteger("availableCount");
        TdTestSupport.Pick pick = new TdTestSupport.Pick(null, gpu.getString("v0Name"), capacity);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i <= capacity; i++) {
            JsonObject body = createBody("gpub-cap-" + i, pick, publicLine(newKey()));
            attrs(body).remove("location_id");
            attrs(body).put("hostnode_id", hostnode);
            TdTestSupport.Res r = td.call("POST", "/instances", body);
            assertThat(r.status()).isEqualTo(200);
            if (i < capacity) {
                ids.add(r.json().getJsonObject("data").getString("id"));
            } else {
                assertThat(r.json().getInteger("status")).isEqualTo(400);
                assertThat(r.json().getString("error")).isEqualTo("No available nodes found");
            }
        }
        assertThat(td.call("GET", "/_sim/hostnodes/" + hostnode, null).json().getInteger("gpu_available"))
                .isZero();
        td.call("DELETE", "/instances/" + ids.get(0), null);
        assertThat(td.call("GET", "/_sim/hostnodes/" + hostnode, null).json().getInteger("gpu_available"))
                .isEqualTo(1);
        JsonObject again = createBody("gpub-cap-again", pick, publicLine(newKey()));
        attrs(again).remove("location_id");
        attrs(again).put("hostnode_id", hostnode);
        assertThat(td.call("POST", "/instances", again)
                        .json()
                        .getJsonObject("data")
                        .getString("id"))
                .isNotBlank();
    }

    @Test
    void staleInventoryIsStillAdvertisedAndCreateFailsWithAnErrorInsideHttp200() {
        TdTestSupport.Pick pick = td.pickOffer();
        JsonArray behind = td.call("GET", "/hostnodes?gpu=" + pick.v0Name() + "&location_id=" + pick.locationId(), null)
                .json()
                .getJsonObject("data")
                .getJsonArray("hostnodes");
        for (Object o : behind) {
            td.call("POST", "/_sim/hostnodes/" + ((JsonObject) o).getString("id") + "/gone", null);
        }
        assertThat(td.pickOffer()).isEqualTo(pick);
        TdTestSupport.Res r = td.call("POST", "/instances", createBody("gpub-stale", pick, publicLine(newKey())));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getInteger("status")).isEqualTo(400);
        assertThat(r.json().getString("error")).isEqualTo("No available nodes found");
        assertThat(r.json().containsKey("data")).isFalse();

        td.call("POST", "/_sim/snapshot", null);
        assertThat(td.pickOffer()).isNotEqualTo(pick);
    }

    @Test
    void aConfiguredStaleRateFailsCreatesThatWouldFit() {
        td.call("POST", "/_sim/settings", new JsonObject().put("stale_create_failure_rate", 1.0));
        TdTestSupport.Res r =
                td.call("POST", "/instances", createBody("gpub-flaky", td.pickOffer(), publicLine(newKey())));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getString("error")).isEqualTo("No available nodes found");
    }

    @Test
    void pricesDriftInTheListingWhileCreatedVmsKeepTheirRate() {
        String id = td.create("gpub-dep1-price", publicLine(newKey()));
        double rate = td.instance(id).getDouble("rateHourly");
        String hostnode = td.instance(id).getString("hostnode_id");
        String before = td.call("GET", "/hostnodes", null).body();
        td.call("POST", "/_sim/prices/drift", new JsonObject().put("steps", 5));
        td.call(
                "POST",
                "/_sim/prices/drift",
                new JsonObject().put("hostnode_id", hostnode).put("price_per_hr", 9.99));
        assertThat(td.call("GET", "/hostnodes", null).body()).isEqualTo(before);
        td.call("POST", "/_sim/snapshot", null);
        assertThat(td.call("GET", "/hostnodes", null).body()).isNotEqualTo(before);
        JsonObject hn = td.call("GET", "/hostnodes/" + hostnode, null).json().getJsonObject("data");
        assertThat(hn.getJsonObject("available_resources")
                        .getJsonArray("gpus")
                        .getJsonObject(0)
                        .getDouble("price_per_hr"))
                .isEqualTo(9.99);
        assertThat(td.instance(id).getDouble("rateHourly")).isEqualTo(rate);
    }

    @Test
    void pricesDriftOnATimerWhenConfigured() {
        try (TdTestSupport drifting = new TdTestSupport(TdTestSupport.testConfig()
                .set("tensordock.price-drift-interval", "60")
                .set("tensordock.price-drift-pct", "0.05")
                .set("tensordock.snapshot-refresh", "0"))) {
            String before = drifting.call("GET", "/hostnodes", null).body();
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() ->
                            !drifting.call("GET", "/hostnodes", null).body().equals(before));
        }
    }

    @Test
    void accruedCostIsExposedOnTheBalanceEndpoint() {
        String id = td.create("gpub-dep1-bill", publicLine(newKey()));
        td.awaitStatus(id, "running");
        await().atMost(Duration.ofSeconds(5)).until(() -> td.controlView(id).getDouble("accrued_cost") > 0.001);
        double accruedBefore = td.call("GET", "/_sim/instances", null).json().getDouble("total_accrued_cost");
        JsonObject balance = td.call("GET", "/billing/balance", null).json().getJsonObject("data");
        double accruedAfter = td.call("GET", "/_sim/instances", null).json().getDouble("total_accrued_cost");
        assertThat(balance.getString("currency")).isEqualTo("USD");
        assertThat(balance.getDouble("total_spent")).isBetween(accruedBefore, accruedAfter);
        assertThat(balance.getDouble("balance"))
                .isCloseTo(1000 - balance.getDouble("total_spent"), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(balance.getDouble("hourly_spend")).isEqualTo(td.instance(id).getDouble("rateHourly"));
    }

    @Test
    void theDocumentedRateLimitAnswers429WhenSwitchedOn() {
        for (int i = 0; i < 120; i++) {
            assertThat(td.call("GET", "/instances", null).status()).isEqualTo(200);
        }
        td.call("POST", "/_sim/rate-limit", new JsonObject().put("per_minute", 3));
        for (int i = 0; i < 3; i++) {
            TdTestSupport.Res ok = td.call("GET", "/instances", null);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("X-RateLimit-Limit")).isEqualTo("3");
        }
        TdTestSupport.Res limited = td.call("GET", "/locations", null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().getString("error")).isNotBlank();
        assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");
        td.call("POST", "/_sim/rate-limit", new JsonObject().put("per_minute", 0));
        assertThat(td.call("GET", "/instances", null).status()).isEqualTo(200);
    }

    @Test
    void theRateLimitIsReadFromConfig() {
        try (TdTestSupport limited =
                new TdTestSupport(TdTestSupport.testConfig().set("tensordock.rate-limit-per-minute", "2"))) {
            assertThat(limited.call("GET", "/instances", null).status()).isEqualTo(200);
            assertThat(limited.call("GET", "/instances", null).status()).isEqualTo(200);
            assertThat(limited.call("GET", "/instances", null).status()).isEqualTo(429);
        }
    }

    @Test
    void aDedicatedIpVmReportsItsSshForwardAndIgnoredPortForwardsReproduceBug008() {
        TdTestSupport.Pick pick = td.pickOffer();
        JsonObject body = createBody("gpub-ignored", pick, publicLine(newKey()));
        td.call("POST", "/_sim/settings", new JsonObject().put("ignore_port_forwards", true));
        String id =
                td.call("POST", "/instances", body).json().getJsonObject("data").getString("id");
        JsonObject vm = td.awaitStatus(id, "running");
        assertThat(vm.getJsonArray("portForwards")).isEmpty();
        assertThat(vm.getString("ipAddress")).isEqualTo("127.0.0.1");
        td.call("POST", "/_sim/settings", new JsonObject().put("ignore_port_forwards", false));

        JsonObject hn = null;
        for (Object o : td.call("GET", "/hostnodes?min_gpu_count=1", null)
                .json()
                .getJsonObject("data")
                .getJsonArray("hostnodes")) {
            String hid = ((JsonObject) o).getString("id");
            if (td.call("GET", "/_sim/hostnodes/" + hid, null).json().getInteger("dedicated_ips_free") > 0) {
                hn = (JsonObject) o;
                break;
            }
        }
        assertThat(hn).as("a hostnode with a dedicated IP").isNotNull();
        JsonObject dedicated = createBody(
                "gpub-dedicated",
                new TdTestSupport.Pick(
                        null,
                        hn.getJsonObject("available_resources")
                                .getJsonArray("gpus")
                                .getJsonObject(0)
                                .getString("v0Name"),
                        1),
                publicLine(newKey()));
        attrs(dedicated).remove("location_id");
        attrs(dedicated).remove("port_forwards");
        attrs(dedicated).put("hostnode_id", hn.getString("id")).put("useDedicatedIp", true);
        String did = td.call("POST", "/instances", dedicated)
                .json()
                .getJsonObject("data")
                .getString("id");
        JsonObject dvm = td.awaitStatus(did, "running");
        assertThat(dvm.getBoolean("useDedicatedIp")).isTrue();
        assertThat(sshPort(dvm)).isEqualTo(td.controlView(did).getInteger("ssh_port"));
    }

    @Test
    void aConfiguredDeleteDelayShowsDeletingBeforeThe404() {
        try (TdTestSupport slow = new TdTestSupport(TdTestSupport.testConfig().set("tensordock.delete", "300"))) {
            String id = slow.create("gpub-deleting", publicLine(newKey()));
            slow.awaitStatus(id, "running");
            assertThat(slow.call("DELETE", "/instances/" + id, null).status()).isEqualTo(200);
            assertThat(slow.instance(id).getString("status")).isEqualTo("deleting");
            assertThat(slow.call("DELETE", "/instances/" + id, null).status()).isEqualTo(404);
            assertThat(slow.controlView(id).getBoolean("billing")).isFalse();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> slow.call("GET", "/instances/" + id, null).status() == 404);
        }
    }

    @Test
    void statusNamesAreConfigurable() {
        try (TdTestSupport custom = new TdTestSupport(TdTestSupport.testConfig()
                .set("tensordock.status.running", "Running")
                .set("tensordock.create-response-status", "creating"))) {
            TdTestSupport.Res r = custom.call(
                    "POST", "/instances", createBody("gpub-case", custom.pickOffer(), publicLine(newKey())));
            assertThat(r.json().getJsonObject("data").getString("status")).isEqualTo("creating");
            custom.awaitStatus(r.json().getJsonObject("data").getString("id"), "Running");
        }
    }

    @Test
    void resetDropsInstancesSecretsAndRestoresCapacity() {
        String id = td.create("gpub-reset", publicLine(newKey()));
        String hostnode = td.instance(id).getString("hostnode_id");
        int before = td.call("GET", "/_sim/hostnodes/" + hostnode, null).json().getInteger("gpu_available");
        td.call(
                "POST",
                "/secrets",
                new JsonObject()
                        .put(
                                "data",
                                new JsonObject()
                                        .put(
                                                "attributes",
                                                new JsonObject()
                                                        .put("name", "k")
                                                        .put("value", publicLine(newKey()))
                                                        .put("type", "SSHKEY"))));
        td.reset();
        assertThat(td.call("GET", "/instances/" + id, null).status()).isEqualTo(404);
        assertThat(td.call("GET", "/secrets", null).json().getJsonObject("data").getJsonArray("secrets"))
                .isEmpty();
        assertThat(td.call("GET", "/_sim/hostnodes/" + hostnode, null).json().getInteger("gpu_available"))
                .isEqualTo(before + 1);
    }
}
