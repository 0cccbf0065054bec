package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gpu} command line as a user runs it — {@code bin/gpu} as a process, the system's
 * {@code ssh}, a real terminal (tmux) — against the whole stack: login, the offers table, up to
 * running with progress, ssh running a command on the simulated instance, extend, done, costs.
 */
class CliTests {
    private static final Pattern SESSION = Pattern.compile("session (\\S+) on ");
    /** What the shell prints after the command (the typed command line shows "EXIT=$?", not digits). */
    private static final Pattern EXIT = Pattern.compile("(?m)^EXIT=(\\d+)\\s*$");

    private static final Pattern OFFER = Pattern.compile("\\(offer (\\S+)\\)");

    static Path root;
    static String admin;

    @TempDir
    Path config;

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void stack() {
        E2EStack.get();
        admin = E2EStack.get().adminKeyValue();
        Path r = Path.of("").toAbsolutePath();
        while (!Files.exists(r.resolve("broker"))) {
            r = r.getParent();
        }
        root = r;
    }

    Result gpu(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(root.resolve("bin/gpu").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().remove("GPU_BROKER_API_KEY");
        pb.environment().remove("GPU_BROKER_URL");
        pb.environment().put("XDG_CONFIG_HOME", config.toString());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("gpu-out", ".txt");
        Path err = Files.createTempFile("gpu-err", ".txt");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(6, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("gpu " + String.join(" ", args) + " did not end");
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    Result gpu(String... args) throws IOException, InterruptedException {
        return gpu(Map.of(), args);
    }

    static String consumer(String prefix) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        String key = GatewayFlowTests.consumer(admin, id);
        E2EStack.Reply b = call(
                "PUT",
                url("api-gateway") + "/api/v1/consumers/" + id + "/budget",
                Map.of("monthly_limit", 100, "currency", "USD"),
                "Authorization",
                "Bearer " + admin);
        assertThat(b.status()).as(b.body().toString()).isEqualTo(200);
        return key;
    }

    @Test
    void aUserLogsInFindsAnOfferRunsASessionSshesInEndsItAndSeesItsCost() throws Exception {
        String key = consumer("cli-a");
        Result login = gpu("login", "--url", url("api-gateway"), "--api-key", key);
        assertThat(login.code()).as(login.all()).isZero();
        assertThat(login.out()).contains("logged in to " + url("api-gateway") + " as consumer cli-a-");
        Path file = config.resolve("gpubroker/config");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");

        // the offers table: header, aligned rows of rackrr offers, the paging footer
        AtomicReference<Result> offers = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    Result r = gpu("offers", "--provider", "rackrr", "--bookable", "--limit", "5");
                    offers.set(r);
                    return r.code() == 0
                            && r.out()
                                            .lines()
                                            .filter(l -> l.contains(" rackrr "))
                                            .count()
                                    > 0;
                });
        System.out.println("---- gpu offers ----\n" + offers.get().out() + "----");
        List<String> lines = offers.get().out().lines().toList();
        assertThat(lines.get(0))
                .startsWith("ID")
                .contains("PROVIDER", "GPU", "$/H", "$/GPU-H", "RELIAB", "CONF", "AGE");
        int providerColumn = lines.get(0).indexOf("PROVIDER");
        for (String row : lines.subList(1, lines.size() - 1)) {
            assertThat(row.substring(providerColumn)).startsWith("rackrr ");
        }
        assertThat(lines.get(lines.size() - 1)).matches("offers 1-\\d+ of \\d+.*\\(page 1/\\d+, sorted by value.*");

        // up on a fresh offer no other test uses: progress with elapsed time until running, the key stored 0600
        JsonNode offer = SessionLifecycleTests.firstOffer("rackrr");
        Result up = gpu("up", offer.path("id").asText(), "--hours", "3", "--retry");
        assertThat(up.code()).as(up.all()).isZero();
        Matcher m = SESSION.matcher(up.out());
        assertThat(m.find()).as(up.out()).isTrue();
        String id = m.group(1);
        assertThat(up.out())
                .containsPattern("\\[0:\\d\\d\\] (pending|provisioning|verifying) ")
                .containsPattern("\\[0:\\d\\d\\] running +SSH verified")
                .contains("private key saved to " + config.resolve("gpubroker/keys/" + id) + " (0600)")
                .contains("log in:  gpu ssh " + id)
                .doesNotContain("PRIVATE KEY");
        Path keyFile = config.resolve("gpubroker/keys/" + id);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");

        // the system's ssh with the stored key runs a command on the simulated instance
        Result ssh = gpu("ssh", id, "--", "echo", "hello-from-gpu");
        assertThat(ssh.code()).as(ssh.all()).isZero();
        assertThat(ssh.out().trim()).isEqualTo("hello-from-gpu");

        Result ls = gpu("ls");
        assertThat(ls.code()).as(ls.all()).isZero();
        assertThat(ls.out()).containsPattern(Pattern.quote(id) + " +running +rackrr .* yes");
        Result extend = gpu("extend", id, "1");
        assertThat(extend.code()).as(extend.all()).isZero();
        assertThat(extend.out()).contains(id + " now ends ");
        Result diag = gpu("diag", id);
        assertThat(diag.code()).as(diag.all()).isZero();
        assertThat(diag.out()).containsPattern("ssh_available +true");

        Result done = gpu("done", id, "--wait");
        assertThat(done.code()).as(done.all()).isZero();
        assertThat(done.out()).containsPattern("\\] stopped +instance gone").contains("stored key removed");
        assertThat(keyFile).doesNotExist();
        SessionFaultsTests.nothingLeaked("rackrr", id);

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Result cost = gpu("costs", "--session", id);
                    assertThat(cost.code()).as(cost.all()).isZero();
                    assertThat(cost.out()).containsPattern("total +0\\.\\d*[1-9]\\d* USD|total +[1-9]\\d*\\.\\d+ USD");
                });
        Result month = gpu("costs");
        assertThat(month.code()).as(month.all()).isZero();
        System.out.println("---- gpu up / done / costs ----\n" + up.out() + done.out() + month.out() + "----");
        assertThat(month.out())
                .contains("costs of cli-a-")
                .containsPattern("PROVIDER +COST +SHARE")
                .containsPattern("rackrr +\\d+\\.\\d+ +100%")
                .containsPattern("budget: \\d+\\.\\d+ of 100\\.00 USD spent in \\d{4}-\\d\\d");
        Result daily = gpu("costs", "--period", "daily");
        assertThat(daily.code()).as(daily.all()).isZero();
        assertThat(daily.out()).containsPattern("DAY +SESSIONS +HOURS +COST").containsPattern("TOTAL +1 ");

        // an API error: its message, its request id, exit code 4
        Result missing = gpu("show", "sess-does-not-exist");
        assertThat(missing.code()).isEqualTo(4);
        assertThat(missing.err()).containsPattern("error: .*not found").containsPattern("HTTP 404, request_id \\S+\\)");
    }

    @Test
    void upPicksTheBestMatchingOfferAndItsProgressReadsCleanlyInARealTerminal() throws Exception {
        String key = consumer("cli-tty");
        String sock = "gpu-e2e-" + UUID.randomUUID().toString().substring(0, 8);
        Path screen = config.resolve("screen.txt");
        String shell = "env XDG_CONFIG_HOME=" + config + " GPU_BROKER_URL=" + url("api-gateway")
                + " GPU_BROKER_API_KEY=" + key + " TERM=xterm bash --norc --noprofile";
        tmux(sock, "new-session", "-d", "-s", "cli", "-x", "150", "-y", "50", shell);
        String id = null;
        try {
            // the best-value bookable TensorDock offer; --retry moves on should the catalog lag the provider
            tmux(
                    sock,
                    "send-keys",
                    "-t",
                    "cli",
                    root.resolve("bin/gpu") + " up --provider tensordock --hours 3 --retry; echo EXIT=$?",
                    "Enter");
            AtomicReference<String> shown = new AtomicReference<>("");
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        shown.set(tmux(sock, "capture-pane", "-p", "-J", "-t", "cli"));
                        return EXIT.matcher(shown.get()).find();
                    });
            String text = shown.get();
            Files.writeString(screen, text);
            // the screen as the user saw it, in the test's output
            System.out.println("---- gpu up in tmux ----\n" + text.stripTrailing() + "\n----");
            Matcher exit = EXIT.matcher(text);
            assertThat(exit.find()).isTrue();
            assertThat(exit.group(1)).as(text).isEqualTo("0");
            Matcher m = SESSION.matcher(text);
            assertThat(m.find()).as(text).isTrue();
            id = m.group(1);
            Matcher o = OFFER.matcher(text);
            if (o.find()) {
                SessionLifecycleTests.USED.add(o.group(1));
            }
            List<String> screenLines = text.lines().toList();
            // each phase on its own line with its elapsed time; the live ticker line is gone, no escape codes left
            assertThat(screenLines.stream()
                            .filter(l -> l.matches("\\[\\d+:\\d\\d\\] \\w+ +.*"))
                            .toList())
                    .as(text)
                    .anyMatch(l -> l.contains("] running "))
                    .anyMatch(l -> l.matches(".*\\] (pending|provisioning|verifying) .*"));
            assertThat(text).doesNotContain("  ... ").doesNotContain("\u001b").doesNotContain("[K");
            assertThat(text).contains("log in:  gpu ssh " + id).doesNotContain("PRIVATE KEY");
        } finally {
            tmux(sock, "kill-server");
            if (id != null) {
                Result done = gpu(
                        Map.of("GPU_BROKER_URL", url("api-gateway"), "GPU_BROKER_API_KEY", key), "done", id, "--wait");
                assertThat(done.code()).as(done.all()).isZero();
                SessionFaultsTests.nothingLeaked("tensordock", id);
            }
        }
    }

    private static String tmux(String socket, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("tmux", "-L", socket));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (p.exitValue() != 0 && !args[0].equals("kill-server")) {
            throw new IllegalStateException("tmux " + String.join(" ", args) + ": " + out);
        }
        return out;
    }
}
