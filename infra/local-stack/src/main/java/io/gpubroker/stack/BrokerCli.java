package io.gpubroker.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The Java side of {@code ./broker}: runs the stack in the foreground, shows status, stops it. */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        subcommands = {BrokerCli.Run.class, BrokerCli.Status.class, BrokerCli.Down.class})
public final class BrokerCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BrokerCli()).execute(args));
    }

    static Path root() {
        return Path.of(System.getProperty("broker.root", ".")).toAbsolutePath().normalize();
    }

    static Path stateFile(String profile) {
        return root().resolve(".broker").resolve(profile).resolve("state.json");
    }

    @SuppressWarnings("unchecked")
    static Optional<Map<String, Object>> state(String profile) {
        try {
            Path f = stateFile(profile);
            return Files.exists(f) ? Optional.of(Stack.JSON.readValue(f.toFile(), Map.class)) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    static boolean alive(Object pid) {
        return pid instanceof Number n
                && ProcessHandle.of(n.longValue()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Foreground supervisor: starts everything, blocks until SIGTERM/Ctrl-C, then stops everything. */
    @Command(name = "run", description = "Start the stack and keep it running in the foreground")
    static final class Run implements Callable<Integer> {
        @Option(names = "--profile", defaultValue = "local")
        String profile;

        @Option(names = "--infra-only", description = "PostgreSQL, Kafka and Kafka Connect only (tests)")
        boolean infraOnly;

        @Option(names = "--fresh", description = "Delete this profile's data first")
        boolean fresh;

        @Option(names = "--clock-scale", defaultValue = "1")
        double clockScale;

        @Option(
                names = "--scale",
                description = "The cluster form: 2 replicas of each service (or --replicas), 3 Kafka brokers,"
                        + " 2 Kafka Connect workers, a provider-gateway per provider")
        boolean scale;

        @Option(names = "--replicas", description = "Replicas of each service with --scale (default 2)")
        Integer replicas;

        @Option(names = "--kafka-brokers", description = "Kafka brokers (default 1, 3 with --scale)")
        Integer kafkaBrokers;

        @Option(
                names = "--containers",
                description = "Services as containers: podman kube play of their generated Kubernetes Deployments")
        boolean containers;

        @Override
        public Integer call() throws Exception {
            Optional<Map<String, Object>> st = state(profile);
            if (st.isPresent()
                    && alive(st.get().get("launcher_pid"))
                    && ((Number) st.get().get("launcher_pid")).longValue()
                            != ProcessHandle.current().pid()) {
                System.err.println("the " + profile + " stack is already running (launcher pid "
                        + st.get().get("launcher_pid") + "); use ./broker status or ./broker down");
                return 3;
            }
            if (clockScale <= 0) {
                System.err.println("--clock-scale must be > 0");
                return 2;
            }
            Scale size;
            try {
                size = scale || replicas != null
                        ? new Scale(replicas == null ? 2 : replicas, kafkaBrokers == null ? 3 : kafkaBrokers, 2, true)
                        : new Scale(1, kafkaBrokers == null ? 1 : kafkaBrokers, 1, false);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            Stack stack = new Stack(new Stack.Options(
                    root(), profile, infraOnly, fresh, clockScale, System.getenv("PG_URL"), size, containers));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                System.out.println("stopping the " + profile + " stack ...");
                                stack.close();
                                stopped.countDown();
                            },
                            "broker-shutdown"));
            try {
                stack.start();
            } catch (RuntimeException e) {
                System.err.println("start failed: " + e.getMessage());
                System.err.println("logs: " + stack.logs());
                return 1;
            }
            System.out.println(Status.render(state(profile).orElseThrow()));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "status", description = "Show each component with its URL and PID")
    static final class Status implements Callable<Integer> {
        @Option(names = "--profile", defaultValue = "local")
        String profile;

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Optional<Map<String, Object>> st = state(profile);
            if (st.isEmpty() || !alive(st.get().get("launcher_pid"))) {
                if (json) {
                    System.out.println("{\"profile\":\"" + profile + "\",\"phase\":\"down\"}");
                } else {
                    System.out.println("the " + profile + " stack is not running");
                }
                return 1;
            }
            System.out.println(json ? Stack.JSON.writeValueAsString(st.get()) : render(st.get()));
            return "ready".equals(st.get().get("phase")) ? 0 : 1;
        }

        @SuppressWarnings("unchecked")
        static String render(Map<String, Object> s) {
            StringBuilder sb = new StringBuilder();
            sb.append("GPU Broker ")
                    .append(s.get("profile"))
                    .append(" stack: ")
                    .append(s.get("phase"))
                    .append(s.get("scale") == null ? "" : " (" + s.get("scale") + ")")
                    .append('\n');
            for (Map<String, Object> c : (List<Map<String, Object>>) s.get("components")) {
                Object pid = c.get("pid");
                String state = pid == null ? "" : alive(pid) ? "up" : "DEAD";
                sb.append(String.format(
                        "  %-22s %-45s pid %-8s %s%n", c.get("name"), c.get("url"), pid == null ? "-" : pid, state));
            }
            Map<String, Map<String, Object>> sims = (Map<String, Map<String, Object>>) s.get("simulators");
            if (sims != null && !sims.isEmpty()) {
                sb.append("  simulators:\n");
                sims.forEach((n, e) -> sb.append(
                        String.format("    %-12s api %-36s control %s%n", n, e.get("base_url"), e.get("control_url"))));
            }
            if (s.get("api") != null) {
                sb.append("API:       ").append(s.get("api")).append('\n');
            }
            if (s.get("prometheus") != null) {
                sb.append("metrics:   ").append(s.get("prometheus")).append('\n');
            }
            if (s.get("admin_key") != null) {
                sb.append("admin key: ").append(s.get("admin_key")).append('\n');
            }
            sb.append("logs:      ").append(s.get("logs"));
            return sb.toString();
        }
    }

    @Command(name = "down", description = "Stop the stack and every process it started")
    static final class Down implements Callable<Integer> {
        @Option(names = "--profile", defaultValue = "local")
        String profile;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Optional<Map<String, Object>> st = state(profile);
            if (st.isEmpty()) {
                System.out.println("the " + profile + " stack is not running");
                return 0;
            }
            Object launcher = st.get().get("launcher_pid");
            if (alive(launcher)) {
                ProcessHandle h =
                        ProcessHandle.of(((Number) launcher).longValue()).orElseThrow();
                h.destroy();
                try {
                    h.onExit().get(Duration.ofSeconds(120).toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            }
            // anything the launcher could not stop (it was killed -9, say) is stopped here
            for (Map<String, Object> c : (List<Map<String, Object>>) st.get().getOrDefault("components", List.of())) {
                Object pid = c.get("pid");
                if (alive(pid)) {
                    ProcessHandle.of(((Number) pid).longValue()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            // containers are not children: take down any pod the launcher left
            new KubePlay(root(), root().resolve(".broker").resolve(profile), profile).downAll();
            Path pgPid = root().resolve(".broker").resolve(profile).resolve("pg/postmaster.pid");
            try {
                if (Files.exists(pgPid)) {
                    long pid = Long.parseLong(Files.readAllLines(pgPid).get(0).trim());
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                }
            } catch (Exception ignored) {
                // already stopped
            }
            System.out.println("the " + profile + " stack is stopped");
            return 0;
        }
    }
}
