package io.gpubroker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gpu up / ssh --print / costs against canned answers: what the user sees and which requests are sent. */
class SessionCommandsTests {
    @TempDir
    Path home;

    static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----";

    static final String RTX_4090 = """
            {"offers":[
             {"id":"trooper-9","provider":"trooper","gpu_type":"RTX 4090","gpu_count":1,"price_per_hour":0.075,"available":true,"stale":true},
             {"id":"vastai-12345","provider":"vastai","gpu_type":"RTX 4090","gpu_count":1,"price_per_hour":0.45,"available":true},
             {"id":"rackrr-2","provider":"rackrr","gpu_type":"A100","gpu_count":1,"price_per_hour":0.46,"available":true},
             {"id":"tensordock-7","provider":"tensordock","gpu_type":"RTX 4090","gpu_count":1,"price_per_hour":0.5,"available":true}
            ],"count":4,"total":4}""";

    static String session(String status, boolean host) {
        return "{\"id\":\"sess-1\",\"consumer_id\":\"team-a\",\"provider\":\"rackrr\",\"gpu_type\":\"RTX 4090\",\"gpu_count\":1,"
                + "\"status\":\"" + status + "\",\"price_per_hour\":0.45,\"created_at\":\"2026-07-01T12:00:00Z\","
                + "\"expires_at\":\"2026-07-01T13:00:00Z\""
                + (host ? ",\"ssh_host\":\"127.0.0.1\",\"ssh_port\":40022,\"ssh_user\":\"root\"" : "") + "}";
    }

    @Test
    void upRetriesAStaleOfferOnTheNextComparableOneShowsEachPhaseAndStoresTheKey0600() throws Exception {
        AtomicInteger creates = new AtomicInteger();
        AtomicInteger polls = new AtomicInteger();
        List<String> states = List.of(
                session("pending", false),
                session("provisioning", false),
                session("provisioning", true),
                session("provisioning", true),
                session("running", true));
        try (FakeApi api = new FakeApi()
                .json("GET /api/v1/inventory", 200, RTX_4090)
                .answer(
                        "POST /api/v1/sessions",
                        x -> creates.getAndIncrement() == 0
                                ? new FakeApi.Answer(
                                        503,
                                        "application/json",
                                        "{\"error\":\"offer unavailable due to stale inventory\","
                                                + "\"error_type\":\"stale_inventory\",\"offer_id\":\"vastai-12345\",\"provider\":\"vastai\","
                                                + "\"retry_suggested\":true,\"message\":\"The selected offer is no longer available.\",\"request_id\":\"rq-1\"}")
                                : new FakeApi.Answer(
                                        201,
                                        "application/json",
                                        "{\"session\":" + session("pending", false) + ",\"ssh_private_key\":\""
                                                + KEY.replace("\n", "\\n") + "\"}"))
                .answer(
                        "GET /api/v1/sessions/sess-1",
                        x -> new FakeApi.Answer(
                                200,
                                "application/json",
                                states.get(Math.min(polls.getAndIncrement(), states.size() - 1))))) {
            Run r = Run.gpu(
                    home,
                    Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"),
                    "up",
                    "--gpu",
                    "RTX 4090",
                    "--hours",
                    "1",
                    "--retry");
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            // the stale trooper offer is never tried; vastai answers 503; then the next RTX 4090 x1 (the A100 is not
            // comparable)
            assertThat(r.out()).contains("offer vastai-12345 on vastai is no longer available", "rq-1");
            assertThat(api.seen.stream().filter(s -> s.startsWith("POST")).count())
                    .isEqualTo(2);
            assertThat(r.out()).contains("(offer tensordock-7)");
            assertThat(r.out())
                    .contains("[0:00] pending")
                    .contains("[0:01] provisioning  creating the instance on rackrr")
                    .contains("[0:02] verifying     instance up at 127.0.0.1:40022")
                    .contains("[0:04] running       SSH verified")
                    .contains("gpu ssh sess-1")
                    .contains("-p 40022 root@127.0.0.1")
                    .doesNotContain("BEGIN OPENSSH");
            Path key = home.resolve("gpubroker/keys/sess-1");
            assertThat(Files.readString(key)).isEqualTo(KEY + "\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aStaleOfferWithoutRetryIsExplainedAndExitsUnavailable() throws Exception {
        try (FakeApi api = new FakeApi()
                .json("GET /api/v1/inventory/vastai-12345", 200, "{\"id\":\"vastai-12345\",\"provider\":\"vastai\"}")
                .json(
                        "POST /api/v1/sessions",
                        503,
                        "{\"error\":\"offer unavailable due to stale inventory\","
                                + "\"error_type\":\"stale_inventory\",\"message\":\"The selected offer is no longer available.\",\"request_id\":\"rq-2\"}")) {
            Run r = Run.gpu(home, Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"), "up", "vastai-12345");
            assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(r.out()).contains("vastai-12345 on vastai is no longer available", "rq-2");
            assertThat(r.err()).contains("The selected offer is no longer available.", "--retry");
        }
    }

    @Test
    void aSessionThatFailsWhileProvisioningExits7AndDropsItsKey() throws Exception {
        try (FakeApi api = new FakeApi()
                .json("GET /api/v1/inventory/vastai-12345", 200, "{\"id\":\"vastai-12345\",\"provider\":\"vastai\"}")
                .json(
                        "POST /api/v1/sessions",
                        201,
                        "{\"session\":" + session("pending", false) + ",\"ssh_private_key\":\"x\"}")
                .json(
                        "GET /api/v1/sessions/sess-1",
                        200,
                        session("failed", false)
                                .replace(
                                        "}", ",\"failure_reason\":\"no capacity\",\"error_class\":\"no_capacity\"}"))) {
            Run r = Run.gpu(home, Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"), "up", "vastai-12345");
            assertThat(r.code()).isEqualTo(ExitCodes.SESSION_FAILED);
            assertThat(r.out()).contains("failed        no capacity [no_capacity]");
            assertThat(home.resolve("gpubroker/keys/sess-1")).doesNotExist();
        }
    }

    @Test
    void sshUsesTheStoredKeyAndAPerSessionKnownHostsFile() throws Exception {
        try (FakeApi api = new FakeApi().json("GET /api/v1/sessions/sess-1", 200, session("running", true))) {
            Map<String, String> env = Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k");
            Run missing = Run.gpu(home, env, "ssh", "sess-1");
            assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
            assertThat(missing.err()).contains("no stored key for sess-1");

            new io.gpubroker.cli.config.CliConfig(home.resolve("gpubroker")).storeKey("sess-1", KEY);
            Run r = Run.gpu(home, env, "ssh", "--print", "sess-1", "--", "nvidia-smi", "-L");
            assertThat(r.code()).as(r.err()).isZero();
            Path keys = home.resolve("gpubroker/keys");
            assertThat(r.out().trim())
                    .isEqualTo("ssh -i " + keys.resolve("sess-1") + " -p 40022 -o IdentitiesOnly=yes"
                            + " -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="
                            + keys.resolve("sess-1.known_hosts")
                            + " -o LogLevel=ERROR root@127.0.0.1 -- nvidia-smi -L");
        }
    }

    @Test
    void costsShowPeriodRowsWithATotalTheBreakdownAndTheBudget() throws Exception {
        try (FakeApi api = new FakeApi()
                .json("GET /api/v1/costs?period=daily", 200, """
                        {"consumer_id":"team-a","start_date":null,"end_date":null,"period":"daily","total_cost":1.35,"currency":"USD",
                         "session_count":3,"hours_used":3.5,"by_provider":{"vastai":0.9,"rackrr":0.45},"by_gpu_type":{"RTX 4090":1.35},
                         "periods":[{"period":"2026-06-30","total_cost":0.45,"hours_used":1.0,"session_count":1},
                                    {"period":"2026-07-01","total_cost":0.9,"hours_used":2.5,"session_count":2}]}""")
                .json("GET /api/v1/consumers/team-a/budget", 200, """
                        {"consumer_id":"team-a","monthly_limit":100,"currency":"USD","month":"2026-07","spent":0.9,"remaining":99.1,"used_ratio":0.009}""")) {
            Run r = Run.gpu(
                    home, Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"), "costs", "--period", "daily");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out())
                    .contains("DAY         SESSIONS  HOURS  COST")
                    .contains("2026-07-01         2    2.5  0.90")
                    .contains("TOTAL              3    3.5  1.35")
                    .contains("vastai    0.90    67%")
                    .contains("budget: 0.90 of 100.00 USD spent in 2026-07 (1%), 99.10 left");
        }
    }
}
