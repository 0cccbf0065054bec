package io.gpubroker.sim.vastai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VastAiSimTests extends VastSimHarness {

    @BeforeAll
    static void up() {
        start(fastConfig());
    }

    @Test
    void missingOrWrongKeyGetsVastsAuthErrorAndTheApiKeyParameterIsAccepted() {
        Resp missing = send("GET", sim.baseUrl() + "/users/current/", null, null);
        Resp wrong = send("GET", sim.baseUrl() + "/users/current/", null, "Bearer nope");
        Resp basic = send("GET", sim.baseUrl() + "/users/current/", null, "Basic " + sim.apiKey());
        for (Resp r : List.of(missing, wrong, basic)) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().getBoolean("success")).isFalse();
            assertThat(r.json().getString("error")).isEqualTo("auth_error");
            assertThat(r.json().getString("msg")).isEqualTo("Invalid user key");
        }
        Resp param = send("GET", sim.baseUrl() + "/users/current/?api_key=" + sim.apiKey(), null, null);
        assertThat(param.status()).isEqualTo(200);
        assertThat(send("GET", "http://127.0.0.1:" + sim.port() + "/api/v1/instances/", null, "Bearer nope")
                        .status())
                .isEqualTo(401);
    }

    @Test
    void createReturnsTheNewContractAndTheInstanceWalksNullLoadingRunning() {
        JsonObject offer = anyOffer();
        Resp r = createRaw(
                offer.getLong("id"),
                new JsonObject()
                        .put("client_id", "me")
                        .put("image", "nvidia/cuda:12.6.3-runtime-ubuntu22.04")
                        .put("disk", 20)
                        .put("label", "gpub-dep1-sess-abc")
                        .put("runtype", "ssh_direc ssh_proxy")
                        .put("env", new JsonObject().put("VAR", "val").put("-p 8000:8000", "1"))
                        .put("onstart", "echo hi")
                        .put("cancel_unavail", true));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getBoolean("success")).isTrue();
        long id = r.json().getLong("new_contract");
        assertThat(id).isNotEqualTo(offer.getLong("id"));

        JsonObject first = instance(id);
        assertThat(first.getString("intended_status")).isEqualTo("running");
        assertThat(first.getValue("actual_status")).isIn(null, "loading");
        assertThat(first.getValue("ssh_port")).isNull();

        awaitStatus(id, "loading");
        JsonObject i = awaitStatus(id, "running");
        assertThat(i.getLong("id")).isEqualTo(id);
        assertThat(i.getLong("machine_id")).isEqualTo(offer.getLong("machine_id"));
        assertThat(i.getString("cur_state")).isEqualTo("running");
        assertThat(i.getString("label")).isEqualTo("gpub-dep1-sess-abc");
        assertThat(i.getString("ssh_host")).isEqualTo("127.0.0.1");
        assertThat(i.getInteger("ssh_port")).isPositive();
        assertThat(i.getString("public_ipaddr")).isEqualTo("127.0.0.1");
        JsonObject ports = i.getJsonObject("ports");
        assertThat(ports.getJsonArray("22/tcp").getJsonObject(0).getString("HostPort"))
                .isEqualTo(String.valueOf(i.getInteger("ssh_port")));
        assertThat(ports.getJsonArray("8000/tcp").getJsonObject(0).getString("HostIp"))
                .isEqualTo("0.0.0.0");
        assertThat(i.getString("gpu_name")).isEqualTo(offer.getString("gpu_name"));
        assertThat(i.getInteger("num_gpus")).isEqualTo(offer.getInteger("num_gpus"));
        assertThat(i.getDouble("dph_total")).isGreaterThan(0);
        assertThat(i.getDouble("start_date")).isPositive();
        assertThat(i.getString("image_uuid")).isEqualTo("nvidia/cuda:12.6.3-runtime-ubuntu22.04");
        assertThat(i.getString("image_runtype")).isEqualTo("ssh_direc ssh_proxy");
        assertThat(i.getJsonArray("extra_env").getJsonArray(0).getList()).containsExactly("VAR", "val");
        assertThat(i.getInteger("disk_space")).isEqualTo(20);
        assertThat(i.getString("status_msg")).startsWith("success, running");
        assertThat(i.containsKey("template_hash_id")).isTrue();
        assertThat(control(id).getBoolean("billing")).isTrue();
    }

    @Test
    void unknownInstanceIsAnsweredWithInstancesNullAndBadBodiesWithInvalidArgs() {
        Resp gone = api("GET", "/instances/123/", null);
        assertThat(gone.status()).isEqualTo(200);
        assertThat(gone.json().containsKey("instances")).isTrue();
        assertThat(gone.json().getValue("instances")).isNull();

        Resp noImage = createRaw(anyOffer().getLong("id"), new JsonObject().put("client_id", "me"));
        assertThat(noImage.status()).isEqualTo(400);
        assertThat(noImage.json().getString("error")).isEqualTo("invalid_args");
        Resp notJson = api("PUT", "/asks/" + anyOffer().getLong("id") + "/", "{nope");
        assertThat(notJson.status()).isEqualTo(400);
        Resp longLabel = createRaw(
                anyOffer().getLong("id"), new JsonObject().put("image", "x").put("label", "a".repeat(1025)));
        assertThat(longLabel.json().getString("msg")).contains("1024");
    }

    @Test
    void sshAcceptsOnlyTheKeyAttachedThroughTheInstanceSshEndpoint() throws Exception {
        KeyPair broker = newKey();
        KeyPair createField = newKey();
        KeyPair stranger = newKey();
        Resp r = createRaw(
                anyOffer().getLong("id"),
                new JsonObject().put("image", "img").put("runtype", "ssh_proxy").put("ssh_key", pub(createField)));
        long id = r.json().getLong("new_contract");
        attachKey(id, broker);
        int port = awaitStatus(id, "running").getInteger("ssh_port");

        assertThat(awaitExec(port, broker, "echo ok")).isEqualTo("ok\n");
        assertThat(exec(port, broker, "whoami")).isEqualTo("root\n");
        assertThatThrownBy(() -> exec(port, stranger, "echo ok")).isInstanceOf(Exception.class);
        // the create-time ssh_key field is unreliable on Vast: ignored by default
        assertThatThrownBy(() -> exec(port, createField, "echo ok")).isInstanceOf(Exception.class);

        Resp keys = api("GET", "/instances/" + id + "/ssh/", null);
        assertThat(keys.json().getBoolean("success")).isTrue();
        JsonArray list = new JsonArray(keys.json().getString("ssh_keys"));
        assertThat(list).hasSize(1);
        assertThat(list.getJsonObject(0).getString("public_key")).startsWith(pub(broker));
        assertThat(list.getJsonObject(0).getString("name")).isEqualTo("broker");
        long keyId = list.getJsonObject(0).getLong("id");
        assertThat(api("DELETE", "/instances/" + id + "/ssh/" + keyId + "/", "{}")
                        .json()
                        .getBoolean("success"))
                .isTrue();
        assertThat(new JsonArray(
                        api("GET", "/instances/" + id + "/ssh/", null).json().getString("ssh_keys")))
                .isEmpty();

        Resp bad = api(
                "POST",
                "/instances/" + id + "/ssh/",
                new JsonObject().put("ssh_key", "not a key").encode());
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void createTimeKeyWorksWhenConfiguredReliable() {
        config.set("vastai.honor-create-ssh-key", "true");
        try {
            KeyPair key = newKey();
            long id = createRaw(
                            anyOffer().getLong("id"),
                            new JsonObject().put("image", "img").put("ssh_key", pub(key)))
                    .json()
                    .getLong("new_contract");
            int port = awaitStatus(id, "running").getInteger("ssh_port");
            assertThat(awaitExec(port, key, "echo ok")).isEqualTo("ok\n");
        } finally {
            config.set("vastai.honor-create-ssh-key", "false");
        }
    }

    @Test
    void accountKeysApplyToInstancesCreatedAfterwards() {
        KeyPair key = newKey();
        Resp added =
                api("POST", "/ssh/", new JsonObject().put("ssh_key", pub(key)).encode());
        assertThat(added.status()).isEqualTo(200);
        JsonObject k = added.json().getJsonObject("key");
        assertThat(k.getLong("id")).isPositive();
        assertThat(k.getLong("user_id")).isPositive();
        assertThat(k.getString("public_key")).isEqualTo(pub(key));
        assertThat(k.containsKey("deleted_at")).isTrue();
        assertThat(new JsonArray(api("GET", "/ssh/", null).body())).hasSize(1);

        long id = create(anyOffer().getLong("id"), "acct");
        int port = awaitStatus(id, "running").getInteger("ssh_port");
        assertThat(awaitExec(port, key, "echo acct")).isEqualTo("acct\n");

        assertThat(api("DELETE", "/ssh/" + k.getLong("id") + "/", null).json().getBoolean("success"))
                .isTrue();
        assertThat(new JsonArray(api("GET", "/ssh/", null).body())).isEmpty();
    }

    @Test
    void destroyClosesSshStopsBillingAndTheInstanceReadsAsNull() throws Exception {
        KeyPair key = newKey();
        long id = create(anyOffer().getLong("id"), "gpub-d");
        attachKey(id, key);
        int port = awaitStatus(id, "running").getInteger("ssh_port");
        awaitExec(port, key, "echo ok");

        Resp d = api("DELETE", "/instances/" + id + "/", "{}");
        assertThat(d.status()).isEqualTo(200);
        assertThat(d.json().getBoolean("success")).isTrue();
        assertThat(d.json().getString("msg")).isEqualTo("Instance destroyed successfully");
        assertThat(instance(id)).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> !control(id).getBoolean("ssh_listening"));
        assertThatThrownBy(() -> exec(port, key, "echo ok")).isInstanceOf(Exception.class);

        JsonObject c = control(id);
        assertThat(c.getBoolean("billing")).isFalse();
        String cost = c.getValue("accrued_cost").toString();
        Thread.sleep(150);
        assertThat(control(id).getValue("accrued_cost").toString()).isEqualTo(cost);
        assertThat(new java.math.BigDecimal(cost)).isPositive();

        Resp twice = api("DELETE", "/instances/" + id + "/", "{}");
        assertThat(twice.status()).isEqualTo(404);
        assertThat(twice.json().getBoolean("success")).isFalse();
    }

    @Test
    void capacityRunsOutAndComesBackOnDestroy() {
        long machine = anyOffer().getLong("machine_id");
        JsonObject byMachine = new JsonObject().put("machine_id", new JsonObject().put("eq", machine));
        List<Long> rented = new ArrayList<>();
        Set<Long> asks = new HashSet<>();
        while (true) {
            ctl("POST", "/offers/refresh", "{}");
            JsonArray found = search(byMachine);
            if (found.isEmpty()) {
                break;
            }
            long ask = found.getJsonObject(0).getLong("id");
            assertThat(asks.add(ask)).as("ask ids are single use").isTrue();
            rented.add(create(ask, "cap-" + rented.size()));
            assertThat(rented).hasSizeLessThanOrEqualTo(3);
        }
        assertThat(rented).isNotEmpty();

        api("DELETE", "/instances/" + rented.get(0) + "/", "{}");
        ctl("POST", "/offers/refresh", "{}");
        JsonArray back = search(byMachine);
        assertThat(back).hasSize(1);
        assertThat(create(back.getJsonObject(0).getLong("id"), "cap-again")).isPositive();
    }

    @Test
    void staleInventoryIsAnsweredWithNoSuchAsk() {
        JsonObject offer = anyOffer();
        long ask = offer.getLong("id");
        create(ask, "first");
        Resp again = createRaw(ask, new JsonObject().put("image", "img"));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().getBoolean("success")).isFalse();
        assertThat(again.json().getString("error")).isEqualTo("invalid_args");
        assertThat(again.json().getString("msg")).contains("no_such_ask").contains(String.valueOf(ask));
        assertThat(again.json().getLong("ask_id")).isEqualTo(ask);

        // someone else rents an offer: the snapshot still lists it until the next refresh
        JsonObject other = search(new JsonObject().put("limit", 5)).getJsonObject(3);
        ctl("POST", "/offers/" + other.getLong("id") + "/gone", "{}");
        JsonObject still = new JsonObject().put("id", new JsonObject().put("eq", other.getLong("id")));
        assertThat(search(still)).hasSize(1);
        assertThat(createRaw(other.getLong("id"), new JsonObject().put("image", "img"))
                        .json()
                        .getString("msg"))
                .contains("no_such_ask");
        ctl("POST", "/offers/refresh", "{}");
        assertThat(search(still)).isEmpty();
    }

    @Test
    void accruedCostIsDrawnFromCreditAndShownInInvoices() {
        JsonObject before = api("GET", "/users/current/", null).json();
        assertThat(before.getDouble("credit")).isEqualTo(1000.0);
        assertThat(before.getBoolean("can_pay")).isTrue();
        assertThat(before.containsKey("api_key")).isFalse();

        long id = create(anyOffer().getLong("id"), "gpub-bill");
        awaitStatus(id, "running");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> api("GET", "/users/current/", null).json().getDouble("credit") < 999.99);
        api("DELETE", "/instances/" + id + "/", "{}");

        double credit = api("GET", "/users/current/", null).json().getDouble("credit");
        double accrued = Double.parseDouble(control(id).getValue("accrued_cost").toString());
        assertThat(1000.0 - credit).isCloseTo(accrued, org.assertj.core.data.Offset.offset(1e-5));

        JsonObject inv = api("GET", "/invoices?select_filters=" + enc("{\"instance_id\":{\"eq\":" + id + "}}"), null)
                .json();
        JsonArray rows = inv.getJsonArray("invoices");
        assertThat(rows).hasSize(1);
        assertThat(rows.getJsonObject(0).getString("label")).isEqualTo("gpub-bill");
        assertThat(rows.getJsonObject(0).getDouble("amount"))
                .isCloseTo(accrued, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(rows.getJsonObject(0).getValue("end")).isNotNull();
    }

    @Test
    void createIsRefusedWhenCreditIsExhausted() {
        ctl("POST", "/credit", "{\"credit\": 0}");
        Resp r = createRaw(anyOffer().getLong("id"), new JsonObject().put("image", "img"));
        assertThat(r.status()).isEqualTo(402);
        assertThat(r.json().getString("error")).isEqualTo("insufficient_credit");
        assertThat(api("GET", "/users/current/", null).json().getBoolean("can_pay"))
                .isFalse();
    }

    @Test
    void v1ListPaginatesWithNextTokenFiltersByLabelAndV0ListIsDeprecated() {
        JsonArray offers = search(new JsonObject().put("limit", 12));
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            ids.add(create(offers.getJsonObject(i).getLong("id"), i < 3 ? "gpub-dep1-s" + i : "other-" + i));
        }
        Set<Long> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            Resp r = v1("?limit=5" + (token == null ? "" : "&after_token=" + enc(token)));
            assertThat(r.status()).isEqualTo(200);
            JsonObject page = r.json();
            assertThat(page.getBoolean("success")).isTrue();
            assertThat(page.getInteger("total_instances")).isEqualTo(12);
            assertThat(page.getJsonObject("label_counts").getInteger("gpub-dep1-s0"))
                    .isEqualTo(1);
            assertThat(page.getJsonArray("instances").size())
                    .isEqualTo(page.getInteger("instances_found"))
                    .isLessThanOrEqualTo(5);
            page.getJsonArray("instances").forEach(o -> seen.add(((JsonObject) o).getLong("id")));
            token = page.getString("next_token");
            pages++;
        } while (token != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).isEqualTo(ids);

        Resp filtered = v1("?select_filters=" + enc("{\"label\":{\"in\":[\"gpub-dep1-s0\",\"gpub-dep1-s2\"]}}")
                + "&order_by=" + enc("[{\"col\":\"id\",\"dir\":\"desc\"}]"));
        JsonArray f = filtered.json().getJsonArray("instances");
        assertThat(f).hasSize(2);
        assertThat(f.getJsonObject(0).getLong("id"))
                .isGreaterThan(f.getJsonObject(1).getLong("id"));

        Resp v0 = api("GET", "/instances/", null);
        assertThat(v0.status()).isEqualTo(410);
        assertThat(v0.json().getString("error")).isEqualTo("deprecated_endpoint");
        ctl("POST", "/v0-list", "{\"deprecated\": false}");
        assertThat(api("GET", "/instances/", null).json().getJsonArray("instances"))
                .hasSize(12);
    }

    @Test
    void stopReleasesTheGpuAndBillsOnlyStorageThenStartSchedulesAndRunsAgain() throws Exception {
        KeyPair key = newKey();
        long id = create(anyOffer().getLong("id"), "gpub-stop");
        attachKey(id, key);
        awaitStatus(id, "running");

        Resp stop = api("PUT", "/instances/" + id + "/", "{\"state\": \"stopped\"}");
        assertThat(stop.json().getBoolean("success")).isTrue();
        JsonObject stopping = instance(id);
        assertThat(stopping.getString("intended_status")).isEqualTo("stopped");
        assertThat(stopping.getString("actual_status")).isEqualTo("running");
        awaitStatus(id, "stopped");
        assertThat(instance(id).getString("cur_state")).isEqualTo("stopped");

        double a = Double.parseDouble(control(id).getValue("accrued_cost").toString());
        Thread.sleep(200);
        double b = Double.parseDouble(control(id).getValue("accrued_cost").toString());
        assertThat(control(id).getBoolean("billing")).as("disk is still billed").isTrue();
        double perHour = instance(id).getDouble("dph_total");
        // 200 ms real = 1 simulated minute: a running instance would cost perHour / 60
        assertThat(b - a).isLessThan(perHour / 60 * 0.2);

        api("PUT", "/instances/" + id + "/", "{\"state\": \"running\"}");
        assertThat(instance(id).getString("actual_status")).isIn("scheduling", "running");
        int port = awaitStatus(id, "running").getInteger("ssh_port");
        assertThat(awaitExec(port, key, "echo back")).isEqualTo("back\n");
    }

    @Test
    void labelCanBeChangedAfterCreation() {
        long id = create(anyOffer().getLong("id"), "old");
        assertThat(api("PUT", "/instances/" + id + "/", "{\"label\": \"gpub-dep2-sess-9\"}")
                        .json()
                        .getBoolean("success"))
                .isTrue();
        assertThat(instance(id).getString("label")).isEqualTo("gpub-dep2-sess-9");
        assertThat(control(id).getString("tag")).isEqualTo("gpub-dep2-sess-9");
        assertThat(api("PUT", "/instances/999/", "{\"label\": \"x\"}").status()).isEqualTo(404);
    }

    @Test
    void templatesAreListedAndCreateFromATemplateUsesItsImageAndPorts() {
        Resp t = api(
                "GET",
                "/template/?select_filters=" + enc("{\"recommended\":{\"eq\":true}}") + "&select_cols="
                        + enc("[\"*\"]"),
                null);
        JsonArray templates = t.json().getJsonArray("templates");
        assertThat(templates).hasSize(4);
        JsonObject ollama = null;
        for (Object o : templates) {
            JsonObject tpl = (JsonObject) o;
            assertThat(tpl.getString("hash_id")).matches("[0-9a-f]{32}");
            assertThat(tpl.getInteger("id")).isPositive();
            assertThat(tpl.getBoolean("recommended")).isTrue();
            assertThat(new JsonObject(tpl.getString("extra_filters"))).isNotNull();
            assertThat(tpl.getInteger("recommended_disk_space")).isPositive();
            assertThat(tpl.getString("env")).isNotNull();
            if (tpl.getString("name").equals("Ollama")) {
                ollama = tpl;
            }
        }
        assertThat(ollama.getString("hash_id")).isEqualTo("a8a44c7363cbca20056020397e3bf072");

        Resp r = createRaw(
                anyOffer().getLong("id"),
                new JsonObject()
                        .put("client_id", "me")
                        .put("template_hash_id", ollama.getString("hash_id"))
                        .put("disk", 32)
                        .put("label", "tpl"));
        long id = r.json().getLong("new_contract");
        JsonObject i = instance(id);
        assertThat(i.getString("image_uuid")).isEqualTo("vastai/ollama:0.15.4");
        assertThat(i.getString("template_hash_id")).isEqualTo(ollama.getString("hash_id"));
        assertThat(i.getJsonObject("ports").containsKey("1111/tcp")).isTrue();

        Resp unknown = createRaw(anyOffer().getLong("id"), new JsonObject().put("template_hash_id", "0".repeat(32)));
        assertThat(unknown.status()).isEqualTo(400);
    }

    @Test
    void pathsNeedVastsTrailingSlash() {
        assertThat(api("POST", "/bundles/", "{}").status()).isEqualTo(200);
        Resp bare = api("POST", "/bundles", "{}");
        assertThat(bare.status()).isEqualTo(404);
        assertThat(bare.json().getBoolean("success")).isFalse();
    }

    @Test
    void bulkDestroyRemovesEveryListedInstance() {
        JsonArray offers = search(new JsonObject().put("limit", 2));
        long a = create(offers.getJsonObject(0).getLong("id"), "a");
        long b = create(offers.getJsonObject(1).getLong("id"), "b");
        Resp r = api(
                "DELETE",
                "/instances/",
                new JsonObject()
                        .put("instance_ids", new JsonArray().add(a).add(b))
                        .encode());
        assertThat(r.json().getBoolean("success")).isTrue();
        assertThat(instance(a)).isNull();
        assertThat(instance(b)).isNull();
        assertThat(ctl("GET", "/instances", null).json().getInteger("live")).isZero();
    }
}
