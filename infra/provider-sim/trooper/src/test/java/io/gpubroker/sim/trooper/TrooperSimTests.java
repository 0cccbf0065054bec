package io.gpubroker.sim.trooper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.Socket;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The documented Trooper API, its state machine, password SSH, billing, capacity and price echo. */
class TrooperSimTests {

    TrooperFixture t;

    @BeforeEach
    void start() {
        t = TrooperFixture.start("trooper.budget-path", "/api/budget");
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void publicEndpointsAnswerWithoutATokenInTheDocumentedShape() {
        TrooperFixture.Resp test = t.send("GET", "/api/test", null, null);
        assertThat(test.status()).isEqualTo(200);
        assertThat(test.obj().getString("test")).isEqualTo("meinstring5");

        JsonArray anonymous = t.send("GET", "/api/blibs", null, null).arr();
        assertThat(anonymous).isNotEmpty();
        JsonObject b = anonymous.getJsonObject(0);
        assertThat(b.fieldNames())
                .containsExactlyInAnyOrder(
                        "id",
                        "name",
                        "gpu_type",
                        "gpu_num",
                        "gpu_ram",
                        "cpu_cores",
                        "cpu_ram",
                        "hdd",
                        "price_h",
                        "is_public",
                        "country_code",
                        "is_available",
                        "available_hosts",
                        "fitCount",
                        "maxPossibleInstances");
        assertThat(b.getValue("id")).isInstanceOf(Integer.class);
        assertThat(b.getValue("gpu_num")).isInstanceOf(Integer.class);
        assertThat(b.getValue("gpu_ram")).isInstanceOf(Integer.class);
        assertThat(b.getValue("price_h")).isInstanceOf(Number.class);
        assertThat(b.getInteger("is_public")).isEqualTo(1);
        assertThat(b.getValue("is_available")).isInstanceOf(Boolean.class);
        assertThat(b.getJsonArray("available_hosts").getString(0)).startsWith("ai");
        assertThat(b.getString("country_code")).isIn("DE", "NL", "FI", "NO", "FR", "SE");
        assertThat(b.getInteger("fitCount")).isLessThanOrEqualTo(b.getInteger("maxPossibleInstances"));

        JsonArray withToken = t.get("/api/blibs").arr();
        assertThat(withToken.size()).isEqualTo(30);
        assertThat(anonymous.size()).isEqualTo(28);
        assertThat(withToken.stream().map(o -> ((JsonObject) o).getInteger("is_public")))
                .contains(0);

        JsonArray templates = t.send("GET", "/api/templates", null, null).arr();
        JsonObject tpl = templates.getJsonObject(0);
        assertThat(tpl.getString("name")).isEqualTo("PyTorch Environment");
        assertThat(tpl.getValue("is_public")).isInstanceOf(Boolean.class);
        assertThat(tpl.getJsonArray("options").getJsonObject(0).fieldNames())
                .containsExactlyInAnyOrder("id", "name", "type", "default_value", "possible_values");
    }

    @Test
    void catalogIsDeterministicWithTheSeedAndUsesTrooperGpuNames() {
        try (TrooperFixture other = TrooperFixture.start("trooper.budget-path", "/api/budget")) {
            assertThat(other.get("/api/blibs").body())
                    .isEqualTo(t.get("/api/blibs").body());
        }
        try (TrooperFixture reseeded = TrooperFixture.start("seed", "7")) {
            assertThat(reseeded.get("/api/blibs").body())
                    .isNotEqualTo(t.get("/api/blibs").body());
        }
        JsonObject b = t.get("/api/blibs").arr().getJsonObject(0);
        assertThat(b.getString("gpu_type")).doesNotStartWith("NVIDIA");
        assertThat(b.getString("name")).startsWith(b.getString("gpu_type"));
    }

    @Test
    void privateBlibsNeedATokenAndCarryNoAvailabilityFields() {
        TrooperFixture.Resp anonymous = t.send("GET", "/api/blibs-private", null, null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.obj().getString("error")).isEqualTo("Missing or invalid Authorization header");

        JsonObject b = t.get("/api/blibs-private").arr().getJsonObject(0);
        assertThat(b.fieldNames())
                .containsExactlyInAnyOrder(
                        "id",
                        "name",
                        "gpu_type",
                        "gpu_num",
                        "gpu_ram",
                        "cpu_cores",
                        "cpu_ram",
                        "hdd",
                        "price_h",
                        "is_public",
                        "country_code");
    }

    @Test
    void missingOrWrongKeyGetsTrooper401WithNextLogin() {
        for (String token : new String[] {null, "wrong-key"}) {
            for (String path : List.of("/api/orders", "/api/order", "/api/credentials", "/api/order-status")) {
                TrooperFixture.Resp r = t.send(
                        path.equals("/api/orders") ? "GET" : "POST",
                        path,
                        path.equals("/api/orders") ? null : new JsonObject().put("serverId", 1),
                        token);
                assertThat(r.status()).as(path).isEqualTo(401);
                assertThat(r.obj().getMap())
                        .isEqualTo(Map.of("error", "Missing or invalid Authorization header", "next", "login"));
            }
        }
        assertThat(t.send("GET", "/api/orders", null, t.key).status()).isEqualTo(200);
    }

    @Test
    void orderValidationAnswersTheDocumentedErrors() {
        JsonObject blib = t.availableBlib();
        JsonObject noTerms = TrooperFixture.orderBody(blib).put("terms_accepted", false);
        assertThat(t.post("/api/order", noTerms).obj().getString("error"))
                .isEqualTo("You must accept the terms and conditions.");
        TrooperFixture.Resp badInterval =
                t.post("/api/order", TrooperFixture.orderBody(blib).put("contract_interval", "FORTNIGHT"));
        assertThat(badInterval.status()).isEqualTo(400);
        assertThat(badInterval.obj().getString("error")).isEqualTo("Invalid or missing contract interval.");
        JsonObject wrongPrice = TrooperFixture.orderBody(blib).put("price_h", blib.getDouble("price_h") - 0.01);
        TrooperFixture.Resp price = t.post("/api/order", wrongPrice);
        assertThat(price.status()).isEqualTo(400);
        assertThat(price.obj().getString("error")).isEqualTo("Price has changed");
        TrooperFixture.Resp unknown =
                t.post("/api/order", TrooperFixture.orderBody(blib).put("blib_id", 999_999));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(t.post("/api/order", "{not json").status()).isEqualTo(400);
        assertThat(t.get("/api/orders").arr()).isEmpty();
    }

    @Test
    void fullDocumentedOrderRequestIsAcceptedWithTemplates() {
        JsonObject blib = t.availableBlib();
        JsonObject body = TrooperFixture.orderBody(blib)
                .put("second_partition_percentage", 20)
                .put(
                        "templates",
                        new JsonArray().add(new JsonObject().put("id", 1).put("name", "PyTorch Environment")));
        TrooperFixture.Resp r = t.post("/api/order", body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.obj().getBoolean("success")).isTrue();
        assertThat(r.obj().getValue("orderId")).isInstanceOf(Integer.class);
        JsonObject install = t.orderView(r.obj().getInteger("orderId"))
                .getJsonArray("template_installs")
                .getJsonObject(0);
        assertThat(install.fieldNames()).containsExactlyInAnyOrder("id", "template_name", "status", "status_readable");
        assertThat(install.getString("template_name")).isEqualTo("PyTorch Environment");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> t.orderView(r.obj().getInteger("orderId"))
                        .getJsonArray("template_installs")
                        .getJsonObject(0)
                        .getString("status_readable")
                        .equals("Completed"));
    }

    @Test
    void orderInstallsThenRunsWithDesiredAndCurrentStatusInTheListShape() {
        JsonObject blib = t.availableBlib();
        int id = t.order(blib);
        JsonObject installing = t.orderView(id);
        assertThat(installing.getString("status")).isEqualTo("installing");
        assertThat(installing.getString("status_user")).isEqualTo("running");

        JsonObject v = t.awaitStatus(id, "running");
        assertThat(v.fieldNames())
                .containsExactlyInAnyOrder(
                        "order_id",
                        "serverId",
                        "title",
                        "status",
                        "status_user",
                        "server_name",
                        "machine_name",
                        "ip",
                        "ssh_port",
                        "price_h",
                        "paid_until",
                        "contract_interval",
                        "is_locked",
                        "is_low_priority",
                        "blib_name",
                        "blib_gpu_type",
                        "blib_gpu_num",
                        "country_code",
                        "template_installs");
        assertThat(v.getInteger("serverId")).isEqualTo(id);
        assertThat(v.getString("ip")).isEqualTo("127.0.0.1");
        assertThat(v.getValue("ssh_port")).isInstanceOf(Integer.class);
        assertThat(v.getDouble("price_h")).isEqualTo(blib.getDouble("price_h"));
        assertThat(v.getString("paid_until")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(v.getString("contract_interval")).isEqualTo("HOUR");
        assertThat(v.getBoolean("is_locked")).isFalse();
        assertThat(v.getString("blib_gpu_type")).isEqualTo(blib.getString("gpu_type"));
        assertThat(v.getInteger("blib_gpu_num")).isEqualTo(blib.getInteger("gpu_num"));
        assertThat(v.getString("machine_name")).endsWith("_trooperai_" + String.format("%06d", id));

        JsonArray history =
                t.get("/api/order-status-history?order_id=" + id).obj().getJsonArray("history");
        assertThat(history.getJsonObject(0).fieldNames())
                .containsExactlyInAnyOrder("id", "status_user", "status_txt", "status_since");
    }

    @Test
    void sshAcceptsThePasswordThenTheKeyTheBrokerInstalledAndRejectsAnotherKey() throws Exception {
        int id = t.order();
        t.awaitStatus(id, "running");
        JsonObject c = t.credentials(id);
        assertThat(c.fieldNames())
                .containsExactlyInAnyOrder("success", "ip", "ssh_port", "username", "password", "status");
        assertThat(c.getString("username")).isEqualTo("root");
        assertThat(c.getString("status")).isEqualTo("running");
        assertThat(c.getInteger("ssh_port")).isEqualTo(t.orderView(id).getInteger("ssh_port"));

        KeyPair broker = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyPair stranger = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        assertThatThrownBy(() -> TrooperFixture.exec(c.getInteger("ssh_port"), "root", broker, "echo ok"))
                .as("no key works before the broker installs one")
                .isInstanceOf(Exception.class);
        assertThatThrownBy(
                        () -> TrooperFixture.installKeyWithPassword(c.getInteger("ssh_port"), "root", "wrong", broker))
                .isInstanceOf(Exception.class);
        TrooperFixture.installKeyWithPassword(c.getInteger("ssh_port"), "root", c.getString("password"), broker);
        assertThat(TrooperFixture.exec(c.getInteger("ssh_port"), "root", broker, "echo ok"))
                .isEqualTo("ok\n");
        assertThat(TrooperFixture.exec(
                        c.getInteger("ssh_port"), "root", broker, "nvidia-smi --query-gpu=name --format=csv,noheader"))
                .startsWith(
                        io.gpubroker.sim.core.GpuSpec.driverName(t.orderView(id).getString("blib_gpu_type")));
        assertThatThrownBy(() -> TrooperFixture.exec(c.getInteger("ssh_port"), "root", stranger, "echo ok"))
                .isInstanceOf(Exception.class);
    }

    @Test
    void terminateActionClosesSshStopsBillingAndReturnsCapacity() throws Exception {
        JsonObject blib = t.availableBlib();
        int blibId = blib.getInteger("id");
        int before = t.control("GET", "/blibs/" + blibId, null).obj().getInteger("fitCount");
        int id = t.order(blib);
        assertThat(t.control("GET", "/blibs/" + blibId, null).obj().getInteger("fitCount"))
                .isEqualTo(before - 1);
        int port = t.awaitStatus(id, "running").getInteger("ssh_port");
        assertThat(t.controlInstance(id).getBoolean("billing")).isTrue();

        TrooperFixture.Resp r = t.action(id, "terminated");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.obj().getMap()).containsEntry("success", true).containsEntry("status", "terminated");
        JsonObject v = t.orderView(id);
        assertThat(v.getString("status")).isEqualTo("terminated");
        assertThat(v.getString("status_user")).isEqualTo("terminated");
        JsonObject ctl = t.controlInstance(id);
        assertThat(ctl.getBoolean("billing")).isFalse();
        assertThat(ctl.getBoolean("destroyed")).isTrue();
        BigDecimal cost = new BigDecimal(ctl.getValue("accrued_cost").toString());
        assertThat(cost).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> !listening(port));
        Thread.sleep(50);
        assertThat(new BigDecimal(t.controlInstance(id).getValue("accrued_cost").toString()))
                .isEqualByComparingTo(cost);
        assertThat(t.control("GET", "/blibs/" + blibId, null).obj().getInteger("fitCount"))
                .isEqualTo(before);
        assertThat(t.action(id, "terminated").status())
                .as("terminate is idempotent")
                .isEqualTo(200);
        assertThat(t.post("/api/credentials", new JsonObject().put("serverId", id))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void terminateActionNameIsConfigurableAndCanBeSwitchedOff() {
        try (TrooperFixture off = TrooperFixture.start("trooper.terminate-action", "")) {
            int id = off.order();
            TrooperFixture.Resp r = off.action(id, "terminated");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.obj().getString("error")).isEqualTo("Invalid action.");
        }
        try (TrooperFixture renamed =
                TrooperFixture.start("trooper.terminate-action", "deleted", "trooper.terminated-listed", "false")) {
            int id = renamed.order();
            assertThat(renamed.action(id, "deleted").status()).isEqualTo(200);
            assertThat(renamed.orderView(id))
                    .as("terminated orders unlisted when configured")
                    .isNull();
        }
    }

    @Test
    void capacityRunsOutAndComesBackOnTermination() {
        JsonObject blib = t.availableBlib();
        int blibId = blib.getInteger("id");
        t.control("POST", "/blibs/" + blibId + "/capacity", new JsonObject().put("fitCount", 1));
        int id = t.order(blib);
        TrooperFixture.Resp full = t.post("/api/order", TrooperFixture.orderBody(blib));
        assertThat(full.status()).isEqualTo(400);
        assertThat(full.obj().getString("error")).isEqualTo("No capacity available for this configuration");
        t.control("POST", "/blibs/refresh", null);
        JsonObject listed = find(t.get("/api/blibs").arr(), blibId);
        assertThat(listed.getBoolean("is_available")).isFalse();
        assertThat(listed.getInteger("fitCount")).isZero();
        assertThat(listed.getJsonArray("available_hosts")).isEmpty();

        t.action(id, "terminated");
        t.control("POST", "/blibs/refresh", null);
        assertThat(find(t.get("/api/blibs").arr(), blibId).getInteger("fitCount"))
                .isEqualTo(1);
        assertThat(t.post("/api/order", TrooperFixture.orderBody(blib)).status())
                .isEqualTo(200);
    }

    @Test
    void staleSnapshotAdvertisesGoneCapacityAndTheOrderFailsTrooperStyle() {
        try (TrooperFixture s = TrooperFixture.start(
                "trooper.offers-refresh",
                "3600",
                "trooper.error.no-capacity-status",
                "409",
                "trooper.error.no-capacity",
                "Sold out")) {
            JsonObject blib = s.availableBlib();
            s.control("POST", "/blibs/" + blib.getInteger("id") + "/gone", null);
            JsonObject stale = find(s.get("/api/blibs").arr(), blib.getInteger("id"));
            assertThat(stale.getBoolean("is_available"))
                    .as("snapshot still advertises it")
                    .isTrue();
            TrooperFixture.Resp r = s.post("/api/order", TrooperFixture.orderBody(stale));
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.obj().getMap()).isEqualTo(Map.of("error", "Sold out"));
            s.control("POST", "/blibs/refresh", null);
            assertThat(find(s.get("/api/blibs").arr(), blib.getInteger("id")).getBoolean("is_available"))
                    .isFalse();
        }
    }

    @Test
    void priceChangeRefusesTheOldEchoWhileRunningOrdersKeepTheirPrice() {
        try (TrooperFixture s = TrooperFixture.start("trooper.offers-refresh", "3600")) {
            JsonObject blib = s.availableBlib();
            s.control("POST", "/blibs/" + blib.getInteger("id") + "/capacity", new JsonObject().put("fitCount", 3));
            int id = s.order(blib);
            double newPrice = blib.getDouble("price_h") + 0.37;
            s.control("POST", "/blibs/" + blib.getInteger("id") + "/price", new JsonObject().put("price_h", newPrice));
            TrooperFixture.Resp stale = s.post("/api/order", TrooperFixture.orderBody(blib));
            assertThat(stale.status()).isEqualTo(400);
            assertThat(stale.obj().getString("error")).isEqualTo("Price has changed");
            s.control("POST", "/blibs/refresh", null);
            JsonObject fresh = find(s.get("/api/blibs").arr(), blib.getInteger("id"));
            assertThat(fresh.getDouble("price_h")).isCloseTo(newPrice, org.assertj.core.data.Offset.offset(0.001));
            assertThat(s.post("/api/order", TrooperFixture.orderBody(fresh)).status())
                    .isEqualTo(200);
            assertThat(s.orderView(id).getDouble("price_h")).isEqualTo(blib.getDouble("price_h"));
        }
    }

    @Test
    void pricesDriftOnATimer() {
        try (TrooperFixture s = TrooperFixture.start(
                "trooper.price-drift-interval",
                "1",
                "trooper.price-drift-fraction",
                "0.5",
                "trooper.offers-refresh",
                "0.1")) {
            String first = s.get("/api/blibs").body();
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !s.get("/api/blibs").body().equals(first));
            JsonArray a = new JsonArray(first);
            JsonArray b = s.get("/api/blibs").arr();
            int changed = 0;
            for (int i = 0; i < a.size(); i++) {
                changed += a.getJsonObject(i)
                                .getDouble("price_h")
                                .equals(b.getJsonObject(i).getDouble("price_h"))
                        ? 0
                        : 1;
            }
            assertThat(changed).isPositive();
        }
    }

    @Test
    void stopKeepsDesiredAheadOfCurrentBillsAtThirtyFivePercentAndStartComesBack() throws Exception {
        try (TrooperFixture s = TrooperFixture.start("trooper.stop", "600", "trooper.start", "30")) {
            int id = s.order();
            int port = s.awaitStatus(id, "running").getInteger("ssh_port");
            TrooperFixture.Resp r = s.action(id, "stopped");
            assertThat(r.obj().getMap())
                    .isEqualTo(Map.of(
                            "success", true, "message", "Server stop initiated successfully", "status", "stopping"));
            JsonObject mid = s.orderView(id);
            assertThat(mid.getString("status_user")).isEqualTo("stopped");
            assertThat(mid.getString("status")).isEqualTo("stopping");
            s.awaitStatus(id, "stopped");
            await().atMost(Duration.ofSeconds(5)).until(() -> !listening(port));

            BigDecimal a = accrued(s, id);
            Thread.sleep(300);
            BigDecimal stoppedRate = accrued(s, id).subtract(a);
            assertThat(stoppedRate).isPositive();

            TrooperFixture.Resp start = s.action(id, "running");
            assertThat(start.obj().getMap())
                    .isEqualTo(Map.of(
                            "success", true, "message", "Server start initiated successfully", "status", "starting"));
            JsonObject running = s.awaitStatus(id, "running");
            assertThat(listening(running.getInteger("ssh_port"))).isTrue();
            BigDecimal b = accrued(s, id);
            Thread.sleep(300);
            BigDecimal runningRate = accrued(s, id).subtract(b);
            // 0.35 of the rate: the ratio is noisy in real time, so only check the order of magnitude.
            assertThat(stoppedRate.doubleValue() / runningRate.doubleValue()).isBetween(0.15, 0.7);
            JsonArray history =
                    s.get("/api/order-status-history?order_id=" + id).obj().getJsonArray("history");
            assertThat(history.getJsonObject(0).getString("status_user")).isEqualTo("running");
            assertThat(history.getJsonObject(1).getString("status_user")).isEqualTo("stopped");
        }
    }

    @Test
    void freezeReleasesCapacityAndRestartReopensSsh() {
        JsonObject blib = t.availableBlib();
        int blibId = blib.getInteger("id");
        int id = t.order(blib);
        t.awaitStatus(id, "running");
        assertThat(t.action(id, "restarted").obj().getString("status")).isEqualTo("restarting");
        int port = t.awaitStatus(id, "running").getInteger("ssh_port");
        assertThat(listening(port)).isTrue();
        int before = t.control("GET", "/blibs/" + blibId, null).obj().getInteger("fitCount");
        assertThat(t.action(id, "frozen").obj().getString("status")).isEqualTo("freezing");
        t.awaitStatus(id, "frozen");
        assertThat(t.control("GET", "/blibs/" + blibId, null).obj().getInteger("fitCount"))
                .isEqualTo(before + 1);
        assertThat(t.controlInstance(id).getBoolean("billing")).isFalse();
        assertThat(t.action(id, "running").obj().getString("status")).isEqualTo("starting");
        t.awaitStatus(id, "running");
        assertThat(t.action(id, "exploded").obj().getString("error")).isEqualTo("Invalid action.");
    }

    @Test
    void lockedServerRejectsStatusChangesAndUnknownServerIsAccessDenied() {
        int id = t.order();
        TrooperFixture.Resp lock =
                t.post("/api/order-lock", new JsonObject().put("serverId", id).put("is_locked", true));
        assertThat(lock.obj().getMap()).isEqualTo(Map.of("success", true, "updated", 1));
        TrooperFixture.Resp refused = t.action(id, "stopped");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.obj().getMap())
                .isEqualTo(Map.of("success", false, "error", "Server is locked and cannot be modified"));
        t.post("/api/order-lock", new JsonObject().put("serverId", id).put("is_locked", false));
        assertThat(t.action(id, "stopped").status()).isEqualTo(200);

        TrooperFixture.Resp unknown = t.action(424242, "stopped");
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.obj().getMap()).isEqualTo(Map.of("error", "Access denied or server not found"));
        assertThat(t.post("/api/credentials", new JsonObject().put("serverId", 424242))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void titleBecomesTheOwnershipTag() {
        int id = t.order();
        assertThat(t.orderView(id).getString("title")).isNull();
        TrooperFixture.Resp r =
                t.post("/api/order-title", new JsonObject().put("serverId", id).put("title", "gpub-dep1-s42"));
        assertThat(r.obj().getMap()).isEqualTo(Map.of("success", true, "message", "Title updated successfully"));
        assertThat(t.orderView(id).getString("title")).isEqualTo("gpub-dep1-s42");
        assertThat(t.controlInstance(id).getString("tag")).isEqualTo("gpub-dep1-s42");
    }

    @Test
    void accruedCostIsExposedOnTheBudgetEndpoint() throws Exception {
        JsonObject start = t.get("/api/budget").obj();
        assertThat(start.getDouble("budget")).isEqualTo(10_000.0);
        int id = t.order();
        t.awaitStatus(id, "running");
        Thread.sleep(200);
        JsonObject b = t.get("/api/budget").obj();
        assertThat(b.getString("currency")).isEqualTo("EUR");
        assertThat(b.getDouble("spent")).isPositive();
        assertThat(b.getDouble("budget"))
                .isCloseTo(10_000.0 - b.getDouble("spent"), org.assertj.core.data.Offset.offset(1e-6));
        double total = t.control("GET", "/instances", null).obj().getDouble("total_accrued_cost");
        assertThat(total).isGreaterThanOrEqualTo(b.getDouble("spent"));
        assertThat(t.control("GET", "/budget", null).obj().getDouble("spent")).isPositive();
        try (TrooperFixture none = TrooperFixture.start()) {
            assertThat(none.get("/api/budget").status())
                    .as("no budget endpoint unless configured")
                    .isEqualTo(404);
        }
    }

    @Test
    void insufficientBudgetRefusesTheOrder() {
        try (TrooperFixture poor = TrooperFixture.start("trooper.budget", "0.01")) {
            TrooperFixture.Resp r = poor.post("/api/order", TrooperFixture.orderBody(poor.availableBlib()));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.obj().getString("error")).isEqualTo("Insufficient budget");
        }
    }

    @Test
    void templateEndpointsAnswerTheDocumentedShapes() {
        int id = t.order();
        TrooperFixture.Resp add = t.post(
                "/api/template-install-add",
                new JsonObject()
                        .put("order_id", id)
                        .put("template_id", 1)
                        .put("config", new JsonObject().put("python_version", "3.9")));
        assertThat(add.obj().getString("message")).isEqualTo("Template installation queued");
        int installId = add.obj().getInteger("install_id");
        JsonObject cfg = t.get("/api/template-config?order_id=" + id).obj();
        assertThat(cfg.getBoolean("success")).isTrue();
        JsonObject inst = cfg.getJsonArray("templates").getJsonObject(0);
        assertThat(inst.fieldNames())
                .containsExactlyInAnyOrder(
                        "install_id", "template_id", "template_name", "status", "status_readable", "config");
        assertThat(inst.getJsonObject("config").getString("python_version")).isEqualTo("3.9");
        assertThat(t.post("/api/template-install-retry", new JsonObject().put("install_id", installId))
                        .obj()
                        .getString("message"))
                .isEqualTo("Template installation retry initiated");
        assertThat(t.post("/api/template-install-delete", new JsonObject().put("install_id", installId))
                        .obj()
                        .getString("message"))
                .isEqualTo("Template removal initiated");
        assertThat(t.get("/api/template-config?order_id=" + id).obj().getJsonArray("templates"))
                .isEmpty();
    }

    @Test
    void migrationEndpointsQuoteAndMoveTheServerToANewOrderId() throws Exception {
        int id = t.order();
        t.post("/api/order-title", new JsonObject().put("serverId", id).put("title", "gpub-x-1"));
        JsonObject c = t.credentials(t.awaitStatus(id, "running").getInteger("serverId"));
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        TrooperFixture.installKeyWithPassword(c.getInteger("ssh_port"), "root", c.getString("password"), key);

        JsonObject options = t.get("/api/migration-options?order_id=" + id).obj();
        assertThat(options.getJsonObject("currentOrder").getInteger("id")).isEqualTo(id);
        assertThat(options.getJsonObject("currentBlib").fieldNames()).contains("gpu_type", "price_h");
        JsonObject target = options.getJsonArray("availableBlibs").getJsonObject(0);
        assertThat(target.fieldNames()).contains("additionalCostPerCycle", "is_available");
        JsonObject cost = t.post(
                        "/api/migration-cost",
                        new JsonObject().put("order_id", id).put("target_blib_id", target.getInteger("id")))
                .obj();
        assertThat(cost.fieldNames()).contains("upgradeCost", "remainingValue", "totalDue", "nextBillingDate");
        assertThat(cost.getJsonObject("newRate").getString("display"))
                .startsWith("€")
                .endsWith("/hour");

        JsonObject bought = t.post(
                        "/api/buy-migration",
                        new JsonObject()
                                .put("order_id", id)
                                .put("target_blib_id", target.getInteger("id"))
                                .put("keep_data", true))
                .obj();
        int newId = bought.getInteger("new_order_id");
        assertThat(newId).isNotEqualTo(id);
        assertThat(t.orderView(id).getString("status")).isEqualTo("terminated");
        JsonObject moved = t.orderView(newId);
        assertThat(moved.getString("status")).isEqualTo("migrated");
        assertThat(moved.getString("title")).isEqualTo("gpub-x-1");
        int port = t.awaitStatus(newId, "running").getInteger("ssh_port");
        assertThat(TrooperFixture.exec(port, "root", key, "echo kept")).isEqualTo("kept\n");
    }

    @Test
    void resetWipesKeysAndChangesThePassword() throws Exception {
        int id = t.order();
        t.awaitStatus(id, "running");
        JsonObject c = t.credentials(id);
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        TrooperFixture.installKeyWithPassword(c.getInteger("ssh_port"), "root", c.getString("password"), key);
        assertThat(t.control("POST", "/orders/" + id + "/reset", null).status()).isEqualTo(200);
        assertThat(t.orderView(id).getString("status")).isEqualTo("reset");
        JsonObject after = t.credentials(t.awaitStatus(id, "running").getInteger("serverId"));
        assertThat(after.getString("password")).isNotEqualTo(c.getString("password"));
        assertThatThrownBy(() -> TrooperFixture.exec(after.getInteger("ssh_port"), "root", key, "echo ok"))
                .isInstanceOf(Exception.class);
        TrooperFixture.installKeyWithPassword(after.getInteger("ssh_port"), "root", after.getString("password"), key);
        assertThat(TrooperFixture.exec(after.getInteger("ssh_port"), "root", key, "echo ok"))
                .isEqualTo("ok\n");
    }

    @Test
    void simulatorResetDropsOrdersAndRestoresCapacity() {
        JsonObject blib = t.availableBlib();
        int before =
                t.control("GET", "/blibs/" + blib.getInteger("id"), null).obj().getInteger("fitCount");
        t.order(blib);
        assertThat(t.control("POST", "/reset", null).status()).isEqualTo(200);
        assertThat(t.get("/api/orders").arr()).isEmpty();
        assertThat(t.control("GET", "/blibs/" + blib.getInteger("id"), null)
                        .obj()
                        .getInteger("fitCount"))
                .isEqualTo(before);
    }

    @Test
    void twentyThousandBlibsAreListedQuickly() {
        try (TrooperFixture big = TrooperFixture.start("trooper.offers", "20000")) {
            long t0 = System.nanoTime();
            JsonArray all = big.get("/api/blibs").arr();
            assertThat(all.size()).isEqualTo(20_000);
            long t1 = System.nanoTime();
            assertThat(big.get("/api/blibs").body()).hasSizeGreaterThan(1_000_000);
            long cached = System.nanoTime() - t1;
            assertThat(Duration.ofNanos(t1 - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(cached)).isLessThan(Duration.ofSeconds(2));
            assertThat(big.send("GET", "/api/blibs", null, null).arr().size()).isEqualTo(19_998);
        }
    }

    static JsonObject find(JsonArray blibs, int id) {
        for (Object o : blibs) {
            if (((JsonObject) o).getInteger("id") == id) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError("blib " + id + " not listed");
    }

    static BigDecimal accrued(TrooperFixture s, int id) {
        return new BigDecimal(s.controlInstance(id).getValue("accrued_cost").toString());
    }

    static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
