package io.gpubroker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line parsing, settings precedence, the files gpu writes, and how errors and exit codes look. */
class GpuCliTests {
    @TempDir
    Path home;

    static final String OFFERS = """
            {"offers":[
             {"id":"rackrr-2","provider":"rackrr","gpu_type":"A100","gpu_count":2,"vram_gb":80,"price_per_hour":3.2,
              "location":"EU-North","reliability":0.991,"availability_confidence":0.8,"age_seconds":125,"available":true,"stale":false,"suppressed":false},
             {"id":"vastai-12345","provider":"vastai","gpu_type":"RTX 4090","gpu_count":1,"vram_gb":24,"price_per_hour":0.45,
              "location":"US-West","reliability":0.98,"availability_confidence":0.93,"age_seconds":12,"available":true,"stale":false,"suppressed":false},
             {"id":"trooper-9","provider":"trooper","gpu_type":"RTX 4090","gpu_count":1,"vram_gb":24,"price_per_hour":0.075,
              "location":"US-East","reliability":null,"availability_confidence":0.1,"age_seconds":4000,"available":true,"stale":true,"suppressed":false}
            ],"count":3,"total":3}""";

    @Test
    void offersAreAnAlignedTableWithPricePerGpuHourAndAPagingFooter() throws Exception {
        try (FakeApi api = new FakeApi().json("GET /api/v1/inventory", 200, OFFERS)) {
            Run r = Run.gpu(home, Map.of(), "offers", "--url", api.url(), "--api-key", "k1", "--gpu", "RTX 4090");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(api.seen).containsExactly("GET /api/v1/inventory?gpu_type=RTX+4090&limit=20&offset=0");
            String[] lines = r.out().split("\n");
            assertThat(lines[0]).startsWith("ID").contains("PROVIDER", "$/GPU-H", "RELIAB", "CONF", "AGE", "NOTE");
            // every column starts at the same offset on every line
            int gpuCol = lines[0].indexOf("GPU ");
            assertThat(lines[1].substring(gpuCol)).startsWith("A100");
            assertThat(lines[2].substring(gpuCol)).startsWith("RTX 4090");
            assertThat(lines[1]).contains("3.20", "1.60", "0.99", "0.80", "2m");
            assertThat(lines[3]).contains("0.075", "stale", "1h").contains(" - ");
            assertThat(lines[4]).isEqualTo("offers 1-3 of 3 (page 1/1, sorted by value)");
        }
    }

    @Test
    void offersSortedByAnotherFieldAreOrderedHereAndBookableHidesStaleOnes() throws Exception {
        try (FakeApi api = new FakeApi().json("GET /api/v1/inventory", 200, OFFERS)) {
            Run r = Run.gpu(
                    home, Map.of(), "offers", "--url", api.url(), "--api-key", "k", "--sort", "price", "--bookable");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(api.seen).containsExactly("GET /api/v1/inventory?limit=2000");
            String[] lines = r.out().split("\n");
            assertThat(lines[1]).startsWith("vastai-12345");
            assertThat(lines[2]).startsWith("rackrr-2");
            assertThat(r.out()).doesNotContain("trooper-9").contains("(1 not bookable hidden)");

            Run json =
                    Run.gpu(home, Map.of(), "offers", "--url", api.url(), "--api-key", "k", "--json", "--limit", "1");
            assertThat(json.out()).contains("\"id\" : \"rackrr-2\"").contains("\"total\" : 3");
        }
    }

    @Test
    void anApiErrorPrintsItsMessageAndRequestIdAndMapsToADocumentedExitCode() throws Exception {
        try (FakeApi api = new FakeApi()
                .json(
                        "GET /api/v1/sessions/sess-x",
                        404,
                        "{\"error\":\"session not found: sess-x\",\"request_id\":\"req-77\"}")
                .json("GET /api/v1/inventory", 401, "{\"error\":\"invalid API key\",\"request_id\":\"req-78\"}")) {
            Run r = Run.gpu(home, Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"), "show", "sess-x");
            assertThat(r.code()).isEqualTo(ExitCodes.NOT_FOUND);
            assertThat(r.err()).contains("error: session not found: sess-x").contains("HTTP 404, request_id req-77");

            Run auth = Run.gpu(home, Map.of("GPU_BROKER_URL", api.url(), "GPU_BROKER_API_KEY", "k"), "offers");
            assertThat(auth.code()).isEqualTo(ExitCodes.AUTH);
            assertThat(auth.err()).contains("invalid API key", "req-78", "gpu login");
        }
        Run down = Run.gpu(home, Map.of("GPU_BROKER_API_KEY", "k"), "ls", "--url", "http://127.0.0.1:1");
        assertThat(down.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(down.err()).contains("cannot reach the broker at http://127.0.0.1:1");

        Run noKey = Run.gpu(home, Map.of(), "ls");
        assertThat(noKey.code()).isEqualTo(ExitCodes.AUTH);
        assertThat(noKey.err()).contains("no API key", "gpu login");

        Run usage = Run.gpu(home, Map.of(), "extend", "sess-1", "two");
        assertThat(usage.code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheFileAndLoginWritesTheFile0600() throws Exception {
        try (FakeApi api = new FakeApi()
                .json("GET /api/v1/costs/summary", 200, "{\"consumer_id\":\"team-a\",\"total_cost\":0}")
                .json("GET /api/v1/sessions", 200, "{\"sessions\":[],\"count\":0}")) {
            Run login = Run.gpu(home, Map.of(), "login", "--url", api.url(), "--api-key", "gbk_file_key");
            assertThat(login.code()).as(login.err()).isZero();
            assertThat(login.out()).contains("as consumer team-a");
            Path file = home.resolve("gpubroker/config");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                    .isEqualTo("rwx------");
            assertThat(Files.readString(file)).contains("api_key=gbk_file_key");

            Run fromFile = Run.gpu(home, Map.of(), "ls");
            assertThat(fromFile.code()).as(fromFile.err()).isZero();
            Run fromEnv = Run.gpu(home, Map.of("GPU_BROKER_API_KEY", "gbk_env"), "ls");
            Run fromFlag = Run.gpu(home, Map.of("GPU_BROKER_API_KEY", "gbk_env"), "--api-key", "gbk_flag", "ls");
            assertThat(fromEnv.code()).isZero();
            assertThat(fromFlag.code()).isZero();
            assertThat(api.headers.stream()
                            .map(h -> h.get("Authorization").get(0))
                            .toList())
                    .containsExactly("Bearer gbk_file_key", "Bearer gbk_file_key", "Bearer gbk_env", "Bearer gbk_flag");
        }
    }

    @Test
    void loginKeepsNothingWhenTheBrokerRefusesTheKey() throws Exception {
        try (FakeApi api = new FakeApi()
                .json("GET /api/v1/costs/summary", 401, "{\"error\":\"invalid API key\",\"request_id\":\"r1\"}")) {
            Run login = Run.gpu(home, Map.of(), "login", "--url", api.url(), "--api-key", "wrong");
            assertThat(login.code()).isEqualTo(ExitCodes.AUTH);
            assertThat(home.resolve("gpubroker/config")).doesNotExist();
        }
    }

    @Test
    void helpListsTheExitCodesAndCompletionIsAScriptForGpu() {
        Run help = Run.gpu(home, Map.of(), "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out())
                .contains("Exit codes:", "8   the broker did not answer", "offers", "watch", "completion");
        Run completion = Run.gpu(home, Map.of(), "completion");
        assertThat(completion.code()).isZero();
        assertThat(completion.out()).contains("complete -F").contains("gpu");
    }
}
