package io.gpubroker.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The whole local stack in dependency order: PostgreSQL → Kafka → Kafka Connect (+ simulators) →
 * the five services in parallel → one Debezium outbox connector for every service schema. Its state
 * (URLs, PIDs, log folder, simulator endpoints) is written to {@code .broker/<profile>/state.json}.
 */
public final class Stack implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The providers the stack simulates (and a deployment runs one provider-gateway for each). */
    public static final List<String> PROVIDERS = List.of("vastai", "tensordock", "rackrr", "barrack", "trooper");
    /** Name of the single outbox connector (its slot: {@value #OUTBOX_SLOT}) on the stack's own infrastructure. */
    public static final String OUTBOX_CONNECTOR = "outbox";

    public static final String OUTBOX_SLOT = "outbox_all";

    /** What to start. */
    public record Options(
            Path root,
            String profile,
            boolean infraOnly,
            boolean fresh,
            double clockScale,
            String pgUrl,
            Scale scale,
            boolean containers) {
        public Options(Path root, String profile, boolean infraOnly, boolean fresh, double clockScale, String pgUrl) {
            this(root, profile, infraOnly, fresh, clockScale, pgUrl, Scale.SMALL);
        }

        public Options(
                Path root,
                String profile,
                boolean infraOnly,
                boolean fresh,
                double clockScale,
                String pgUrl,
                Scale scale) {
            this(root, profile, infraOnly, fresh, clockScale, pgUrl, scale, false);
        }

        public Path stateDir() {
            return root.resolve(".broker").resolve(profile);
        }
    }

    private final Options opts;
    private final StackPorts ports;
    private final Path logs;
    private final List<Map<String, Object>> components = new ArrayList<>();
    private final List<Proc> serviceProcs = new ArrayList<>();
    private final List<ServiceSpec> specs;
    private Postgres pg;
    private List<KafkaBroker> kafkas = List.of();
    private String kafkaBootstrap;
    private ConnectWorker connect;
    private List<ConnectWorker> connects = List.of();
    private boolean ownsInfra = true;
    private String slotPrefix = "outbox_";
    private String verifySecret;
    private Proc simulators;
    private PrometheusServer prometheus;
    private String prometheusProblem;
    private Map<String, Object> simEndpoints = Map.of();
    private ClockPosition clockPosition;
    private volatile ClockPosition.Clock clock;
    private String adminKey;
    private String internalToken;
    private volatile String phase = "starting";

    public Stack(Options opts) {
        this.opts = opts;
        this.ports = StackPorts.forProfile(opts.profile());
        this.specs = ports.services(opts.scale());
        this.logs = opts.stateDir().resolve("logs");
        this.clockPosition = new ClockPosition(opts.stateDir().resolve("clock.json"));
    }

    public void start() {
        try {
            if (opts.fresh()) {
                deleteTree(opts.stateDir());
            }
            Files.createDirectories(logs);
            checkTopology();
            writeState();
            pg = opts.pgUrl() != null && !opts.pgUrl().isBlank()
                    ? Postgres.external(opts.pgUrl())
                    : Postgres.embedded(opts.stateDir().resolve("pg"), ports.postgres());
            component(
                    "postgres",
                    "postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(),
                    pg.pid(opts.stateDir().resolve("pg")),
                    pg.describe());
            int brokers = opts.scale().kafkaBrokers();
            kafkas = KafkaBroker.startCluster(
                    opts.root(),
                    opts.stateDir().resolve(brokers == 1 ? "kafka" : "kafka-cluster"),
                    logs,
                    ports.kafka(),
                    ports.kafkaController(),
                    brokers);
            kafkaBootstrap = kafkas.get(0).bootstrap();
            for (KafkaBroker k : kafkas) {
                component(kafkaName(k), k.address(), k.proc().pid(), Map.of());
            }
            List<ConnectWorker> workers = new ArrayList<>();
            int nWorkers = opts.scale().connectWorkers();
            for (int i = 0; i < nWorkers; i++) {
                String name = nWorkers == 1 ? "kafka-connect" : "kafka-connect-" + (i + 1);
                ConnectWorker w = ConnectWorker.start(
                        opts.root(),
                        opts.stateDir().resolve(i == 0 ? "connect" : "connect-" + (i + 1)),
                        logs,
                        kafkaBootstrap,
                        ports.connect() + i,
                        Math.min(brokers, 3),
                        name);
                workers.add(w);
                component(name, w.url(), w.proc().pid(), Map.of());
            }
            connects = List.copyOf(workers);
            connect = connects.get(0);
            writeState();
            if (!opts.infraOnly()) {
                startApps();
            }
            phase = "ready";
            writeState();
            startWatchdog();
        } catch (IOException e) {
            phase = "failed";
            writeState();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            phase = "failed: " + e.getMessage();
            writeState();
            throw e;
        }
    }

    /**
     * Simulators and services on infrastructure someone else runs (end-to-end tests on the test
     * command's PostgreSQL, Kafka and Connect). Stopping this stack stops only what it started.
     */
    public static Stack onInfra(
            Options opts, Postgres pg, String kafkaBootstrap, ConnectWorker connect, String slotPrefix) {
        Stack s = new Stack(opts);
        s.pg = pg;
        s.kafkaBootstrap = kafkaBootstrap;
        s.connect = connect;
        s.connects = List.of(connect);
        s.ownsInfra = false;
        s.slotPrefix = slotPrefix;
        try {
            if (opts.fresh()) {
                s.clockPosition.reset();
            }
            Files.createDirectories(s.logs);
            s.startApps();
            s.phase = "ready";
            s.writeState();
        } catch (IOException e) {
            s.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startApps() throws IOException {
        clock = clockPosition.resume(opts.clockScale(), System.currentTimeMillis());
        clockPosition.save(clock, false);
        startClockKeeper();
        adminKey = secret("admin-key", "gbk_admin_");
        verifySecret = secret("verify-secret", "");
        internalToken = secret("internal-token", "");
        startSimulators();
        startServices();
        startPrometheus();
    }

    /**
     * Prometheus scraping every service process. A machine where it is missing and cannot be
     * installed still gets a working stack: the reason is printed and shown by {@code ./broker status}.
     */
    private void startPrometheus() {
        try {
            if (opts.fresh()) {
                deleteTree(opts.stateDir().resolve("prometheus"));
            }
            prometheus = PrometheusServer.start(
                    opts.root(), opts.stateDir().resolve("prometheus"), logs, ports.prometheus(), specs);
            component("prometheus", prometheus.url(), prometheus.proc().pid(), Map.of("targets", specs.size()));
        } catch (IOException | RuntimeException e) {
            prometheusProblem = e.getMessage();
            System.err.println("Prometheus not started: " + prometheusProblem);
            component("prometheus", null, null, Map.of("problem", String.valueOf(prometheusProblem)));
        }
        writeState();
    }

    /** The stack's Prometheus URL, or null when it could not be started. */
    public String prometheusUrl() {
        return prometheus == null ? null : prometheus.url();
    }

    public String serviceUrl(String name) {
        return specs.stream()
                .filter(x -> x.name().equals(name))
                .findFirst()
                .orElseThrow()
                .url();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> simulator(String name) {
        return (Map<String, Object>) simEndpoints.get(name);
    }

    private void startSimulators() throws IOException {
        Path app = opts.root().resolve("infra/provider-sim/app/target");
        Path endpoints = opts.stateDir().resolve("simulators.json");
        Files.deleteIfExists(endpoints);
        List<String> jvm = new ArrayList<>(List.of(
                "-Xms64m",
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-Dbroker.clock.epoch=" + clock.epoch(),
                "-Dbroker.clock.origin=" + clock.origin(),
                "-Dbroker.clock.scale=" + clock.scale(),
                "-Dsim.endpoints-file=" + endpoints,
                "-Dsim.config=" + simulatorKeys(names())));
        String[] names = names();
        for (int i = 0; i < names.length; i++) {
            jvm.add("-Dsim." + names[i] + ".port=" + (ports.simBase() + i));
        }
        // simulator settings given to the launcher's own JVM (-Dsim.<provider>.<key>=...) reach the simulators
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("sim.")
                        && !k.equals("sim.config")
                        && !k.equals("sim.endpoints-file")
                        && !k.endsWith(".port"))
                .sorted()
                .forEach(k -> jvm.add("-D" + k + "=" + System.getProperty(k)));
        simulators = Proc.java(
                "provider-simulators",
                jvm,
                Proc.classpath(app.resolve("lib"), jarIn(app)),
                "io.gpubroker.sim.SimMain",
                List.of(),
                Map.of(),
                logs.resolve("provider-simulators.log"));
        Wait.until("provider simulators", Duration.ofSeconds(60), () -> {
            if (!simulators.alive()) {
                throw new IllegalStateException("simulators exited; see " + simulators.log());
            }
            return Files.exists(endpoints);
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> eps = JSON.readValue(endpoints.toFile(), Map.class);
        simEndpoints = eps;
        component("provider-simulators", "http://127.0.0.1:" + ports.simBase(), simulators.pid(), Map.of());
    }

    private void startServices() {
        for (ServiceSpec s : specs) {
            Proc p = launch(s);
            serviceProcs.add(p);
            component(s.name(), s.url(), p.pid(), Map.of("health", s.url() + "/q/health"));
        }
        writeState();
        // On its own infrastructure the stack runs ONE outbox connector for every service schema (one
        // task polling every poll.interval.ms instead of four), registered once every outbox table
        // exists (on a fresh stack, rows written before its slot exists are not published; a per-schema
        // connector had the same window, closed per service). On shared test infrastructure (end-to-end)
        // it keeps the per-schema connectors the module tests register under the same names
        // (test_outbox_<schema>), so no table is captured twice.
        boolean oneConnector = ownsInfra;
        List<String> outboxSchemas = specs.stream()
                .filter(ServiceSpec::outbox)
                .map(ServiceSpec::schema)
                .distinct()
                .toList();
        ExecutorService pool = Executors.newFixedThreadPool(specs.size());
        try {
            // services start in parallel; a per-schema connector is registered once its schema is migrated
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                ServiceSpec s = specs.get(i);
                Proc p = serviceProcs.get(i);
                started.add(pool.submit(() -> {
                    Wait.until(s.name(), Duration.ofSeconds(600), () -> {
                        if (!p.alive()) {
                            throw new IllegalStateException(s.name() + " exited; see " + p.log());
                        }
                        return Wait.httpStatus(s.url() + "/q/health/started") == 200;
                    });
                    if (s.outbox() && !oneConnector && s.name().equals(s.service())) {
                        connect.registerOutbox(pg, s.schema(), slotPrefix + s.schema(), false);
                    }
                    return null;
                }));
            }
            for (Future<?> f : started) {
                f.get();
            }
            if (oneConnector && !outboxSchemas.isEmpty()) {
                connect.registerOutbox(pg, outboxSchemas, OUTBOX_CONNECTOR, slotPrefix + "all", false);
                retirePerSchemaConnectors(outboxSchemas);
            }
            List<Future<?>> ready = new ArrayList<>();
            for (ServiceSpec s : specs) {
                ready.add(pool.submit(() -> {
                    Wait.until(
                            s.name() + " ready",
                            Duration.ofSeconds(120),
                            () -> Wait.httpStatus(s.url() + "/q/health/ready") == 200);
                    return null;
                }));
            }
            for (Future<?> f : ready) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A stack started before the single outbox connector still has one connector, slot and
     * publication per schema. They are removed only after the single connector runs: the two
     * overlap for a moment (duplicates, which every consumer skips by event id), nothing is missed,
     * and no abandoned slot is left holding WAL.
     */
    private void retirePerSchemaConnectors(List<String> schemas) {
        for (String schema : schemas) {
            String slot = slotPrefix + schema;
            String name = slot.replace('_', '-');
            if (connect.hasConnector(name)) {
                connect.deleteConnector(name);
                System.out.println("replaced outbox connector " + name + " by the single outbox connector");
            }
            try {
                Wait.until(
                        "replication slot " + slot + " released",
                        Duration.ofSeconds(60),
                        () -> "0"
                                .equals(pg.query(
                                        pg.database(),
                                        "select count(*) from pg_replication_slots where slot_name = '" + slot
                                                + "' and active")));
                pg.execute(
                        pg.database(),
                        "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '"
                                + slot + "' and not active");
                pg.execute(pg.database(), "drop publication if exists " + slot + "_pub");
            } catch (RuntimeException e) {
                System.err.println("could not drop the old replication slot " + slot + ": " + e.getMessage());
            }
        }
    }

    /**
     * Restarts Kafka Connect when its process dies (a crash or a test's kill -9): connectors and
     * offsets live in Kafka, so the restarted worker resumes where the old one stopped.
     */
    private void startWatchdog() {
        Thread t = new Thread(
                () -> {
                    while (!phase.startsWith("stop")) {
                        Wait.sleep(1000);
                        for (ConnectWorker w : connects) {
                            if (ownsInfra && !w.proc().alive() && "ready".equals(phase)) {
                                try {
                                    w.startProcess();
                                    component(
                                            w.name(),
                                            w.url(),
                                            w.proc().pid(),
                                            Map.of("restarted_at", Instant.now().toString()));
                                    writeState();
                                } catch (RuntimeException e) {
                                    System.err.println(w.name() + " restart failed: " + e.getMessage());
                                }
                            }
                        }
                    }
                },
                "stack-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private Proc launch(ServiceSpec s) {
        if (opts.containers()) {
            return new KubePlay(opts.root(), opts.stateDir(), opts.profile())
                    .play(s, containerEnv(s), logs.resolve(s.name() + ".log"));
        }
        Path jar = opts.root().resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("missing " + jar + ": build the project first (./broker up builds it)");
        }
        // C1 only: measured against full tiered C2 on billing's consumer (docs/benchmarks.md § Outbox),
        // C2 gave no lower latency on these 2 shared cores, where its compiler threads compete with the stack
        List<String> jvm = new ArrayList<>(List.of(
                "-Xms64m",
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dquarkus.http.port=" + s.port(),
                "-Dquarkus.http.host=127.0.0.1",
                "-Dbroker.clock.epoch=" + clock.epoch(),
                "-Dbroker.clock.origin=" + clock.origin(),
                "-Dbroker.clock.scale=" + clock.scale(),
                "-Dquarkus.log.file.enabled=true",
                "-Dquarkus.log.file.path=" + logs.resolve(s.name() + ".json.log")));
        // a setting given to the launcher's JVM as -Dservice.<service>.<key>=<value> reaches every replica of
        // that service as -D<key>=<value> (tests shorten a schedule, as -Dsim.* reaches the simulators)
        String prefix = "service." + s.service() + ".";
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith(prefix) && k.length() > prefix.length())
                .sorted()
                .forEach(k -> jvm.add("-D" + k.substring(prefix.length()) + "=" + System.getProperty(k)));
        if (opts.clockScale() != 1.0) {
            // offers are polled on real time but aged on the broker clock: scale the stale threshold
            jvm.add("-Dinventory.offer.stale-after=" + java.time.Duration.ofSeconds((long) (120 * opts.clockScale())));
        }
        return Proc.java(
                s.name(),
                jvm,
                null,
                "-jar",
                List.of(jar.toString()),
                new HashMap<>(serviceEnv(s)),
                logs.resolve(s.name() + ".log"));
    }

    /** Kills a service with SIGKILL (a crash, not a shutdown) and starts it again; waits until ready. */
    public synchronized void crashAndRestart(String name) {
        kill9(name);
        restart(name);
    }

    /** Kill -9 of one service (a crash: no shutdown hook, nothing flushed); {@link #restart} starts it again. */
    public synchronized void kill9(String name) {
        if (!serviceProcs.get(serviceIndex(name)).alive()) {
            throw new IllegalStateException(name + " is not running");
        }
        serviceProcs.get(serviceIndex(name)).kill();
    }

    /** Starts a service again (after {@link #kill9}) with the same arguments and environment; waits until ready. */
    public void restart(String name) {
        ServiceSpec s;
        Proc p;
        synchronized (this) {
            int i = serviceIndex(name);
            s = specs.get(i);
            if (serviceProcs.get(i).alive()) {
                throw new IllegalStateException(name + " is still running");
            }
            p = launch(s);
            serviceProcs.set(i, p);
            component(s.name(), s.url(), p.pid(), Map.of("health", s.url() + "/q/health"));
            writeState();
        }
        awaitReady(s, p);
    }

    /**
     * Stops every service (SIGTERM, as {@code ./broker down} does) and starts them all again on a
     * broker clock that reads {@code brokerNow} at the restart, the simulators left running (they
     * stand for the providers' clouds, which a broker restart does not touch). A {@code brokerNow}
     * behind the clock's position reproduces a restart that set the broker clock back.
     */
    public void restartServices(Instant brokerNow) {
        List<Proc> started = new ArrayList<>();
        synchronized (this) {
            serviceProcs.forEach(Proc::terminate);
            serviceProcs.forEach(p -> p.stop(20));
            long wall = System.currentTimeMillis();
            clock = new ClockPosition.Clock(Instant.ofEpochMilli(wall), brokerNow, clock.scale());
            for (int i = 0; i < specs.size(); i++) {
                Proc p = launch(specs.get(i));
                serviceProcs.set(i, p);
                started.add(p);
                component(
                        specs.get(i).name(),
                        specs.get(i).url(),
                        p.pid(),
                        Map.of("health", specs.get(i).url() + "/q/health"));
            }
            writeState();
        }
        for (int i = 0; i < specs.size(); i++) {
            awaitReady(specs.get(i), started.get(i));
        }
    }

    private int serviceIndex(String name) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no service " + name);
    }

    private static void awaitReady(ServiceSpec s, Proc p) {
        Wait.until(s.name() + " ready after restart", Duration.ofSeconds(600), () -> {
            if (!p.alive()) {
                throw new IllegalStateException(s.name() + " exited; see " + p.log());
            }
            return Wait.httpStatus(s.url() + "/q/health/ready") == 200;
        });
    }

    /**
     * The process form's settings as a container's environment: what {@link #launch} passes as system
     * properties becomes variables, the heap is capped as for the processes (the image sizes it from the
     * machine's memory otherwise), and the service stays on loopback (host network).
     */
    private Map<String, String> containerEnv(ServiceSpec s) {
        Map<String, String> env = new LinkedHashMap<>(serviceEnv(s));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(s.port()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("BROKER_CLOCK_EPOCH", String.valueOf(clock.epoch()));
        env.put("BROKER_CLOCK_ORIGIN", String.valueOf(clock.origin()));
        env.put("BROKER_CLOCK_SCALE", String.valueOf(clock.scale()));
        if (opts.clockScale() != 1.0) {
            env.put(
                    "INVENTORY_OFFER_STALE_AFTER",
                    java.time.Duration.ofSeconds((long) (120 * opts.clockScale()))
                            .toString());
        }
        env.put("JAVA_TOOL_OPTIONS", "-Xmx384m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError");
        return env;
    }

    /**
     * Environment of one service: datasource, Kafka, secrets and the other services' URLs for all;
     * provider endpoints and keys (never on the command line) for provider-gateway only, the one
     * part that talks to providers (billing reads provider billing through it, docs/adr/0010).
     */
    private Map<String, String> serviceEnv(ServiceSpec service) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", pg.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", pg.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", pg.password());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        env.put("BROKER_ADMIN_KEY", adminKey);
        env.put("BROKER_VERIFY_SECRET", verifySecret);
        env.put("BROKER_INTERNAL_TOKEN", internalToken);
        // every replica of each service, comma-separated: the callers spread over them (Stork, docs/adr/0017)
        Map<String, List<String>> urls = new LinkedHashMap<>();
        for (ServiceSpec s : specs) {
            urls.computeIfAbsent(s.service(), k -> new ArrayList<>())
                    .add(s.provider() == null ? s.url() : s.provider() + "=" + s.url());
        }
        urls.forEach((name, list) ->
                env.put("BROKER_SERVICES_" + name.toUpperCase().replace('-', '_') + "_URL", String.join(",", list)));
        if (opts.scale().gatewayPerProvider() && !"billing-service".equals(service.service())) {
            // only billing routes by provider; provider-gateway's other REST caller (inventory) reads
            // Vast templates, which Vast's gateway serves
            env.put(
                    "BROKER_SERVICES_PROVIDER_GATEWAY_URL",
                    specs.stream()
                            .filter(s -> "vastai".equals(s.provider()))
                            .map(ServiceSpec::url)
                            .findFirst()
                            .orElseThrow());
        }
        if ("api-gateway".equals(service.service())) {
            // /metrics aggregates the seed metrics of every provider-gateway, not only the one it would call
            env.put(
                    "BROKER_METRICS_PROVIDER_GATEWAY_URL",
                    specs.stream()
                            .filter(s -> "provider-gateway".equals(s.service()))
                            .map(ServiceSpec::url)
                            .collect(java.util.stream.Collectors.joining(",")));
        }
        if (!"provider-gateway".equals(service.service())) {
            return env;
        }
        if (service.provider() != null) {
            env.put("BROKER_GATEWAY_PROVIDERS", service.provider());
        }
        simEndpoints.forEach((name, v) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> ep = (Map<String, Object>) v;
            String prefix = "BROKER_PROVIDERS_" + name.toUpperCase() + "_";
            env.put(prefix + "BASE_URL", String.valueOf(ep.get("base_url")));
            env.put(prefix + "API_KEY", String.valueOf(ep.get("api_key")));
            env.put(prefix + "ENABLED", "true");
        });
        return env;
    }

    /**
     * Saves the broker clock's position every second while the stack runs (every process computes
     * the same instant from epoch, origin and scale without talking to the others), so even a
     * launcher that dies resumes at most one interval behind, which {@link ClockPosition} adds.
     */
    private void startClockKeeper() {
        Thread t = new Thread(
                () -> {
                    while (!phase.startsWith("stop") && !phase.startsWith("failed")) {
                        Wait.sleep(ClockPosition.SAVE_EVERY.toMillis());
                        saveClock(false);
                    }
                },
                "stack-clock-keeper");
        t.setDaemon(true);
        t.start();
    }

    private synchronized void saveClock(boolean clean) {
        if (clock == null || (!clean && "stopped".equals(phase))) {
            return;
        }
        try {
            clockPosition.save(clock, clean);
        } catch (RuntimeException e) {
            System.err.println("could not save the broker clock's position: " + e.getMessage());
        }
    }

    /** The broker clock every process of this stack computes. */
    public Instant brokerNow() {
        return clock.now();
    }

    private static String[] names() {
        return PROVIDERS.toArray(String[]::new);
    }

    /**
     * The simulators' API keys, generated per installation like the broker's own secrets (their
     * built-in {@code sim-<name>-key} is a known default the provider-gateway refuses), handed to
     * them in a 0600 file rather than on the command line.
     */
    private Path simulatorKeys(String[] providers) throws IOException {
        StringBuilder props = new StringBuilder();
        for (String p : providers) {
            props.append(p)
                    .append(".api-key=")
                    .append(secret("sim-" + p + "-api-key", ""))
                    .append('\n');
        }
        Path f = opts.stateDir().resolve("simulator-keys.properties");
        Files.deleteIfExists(f);
        Files.createFile(f, ownerOnly());
        Files.writeString(f, props);
        return f;
    }

    private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly() {
        try {
            return new java.nio.file.attribute.FileAttribute<?>[] {
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))
            };
        } catch (UnsupportedOperationException e) {
            return new java.nio.file.attribute.FileAttribute<?>[0];
        }
    }

    /** A random secret kept (0600) in the profile's folder, so restarts keep the same one. */
    private String secret(String file, String prefix) throws IOException {
        Path f = opts.stateDir().resolve(file);
        if (Files.exists(f)) {
            return Files.readString(f).trim();
        }
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        String key = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Files.createDirectories(f.getParent());
        // created 0600 before anything is written, so the secret is never readable by others
        Files.createFile(f, ownerOnly());
        Files.writeString(f, key);
        return key;
    }

    private static Path jarIn(Path target) throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.toString().endsWith(".jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no jar in " + target + ": build the project first"));
        }
    }

    private void component(String name, String url, Long pid, Map<String, ?> extra) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("url", url);
        c.put("pid", pid);
        c.putAll(extra);
        synchronized (components) {
            components.removeIf(x -> x.get("name").equals(name));
            components.add(c);
        }
    }

    public synchronized void writeState() {
        try {
            Files.createDirectories(opts.stateDir());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("profile", opts.profile());
            s.put("phase", phase);
            s.put("launcher_pid", ProcessHandle.current().pid());
            s.put("api", opts.infraOnly() ? null : "http://localhost:" + ports.serviceBase());
            s.put("logs", logs.toAbsolutePath().toString());
            s.put("scale", opts.scale().describe());
            s.put(
                    "clock",
                    clock == null
                            ? Map.of("scale", opts.clockScale())
                            : Map.of(
                                    "epoch",
                                    clock.epoch().toString(),
                                    "origin",
                                    clock.origin().toString(),
                                    "scale",
                                    clock.scale()));
            synchronized (components) {
                s.put("components", new ArrayList<>(components));
            }
            s.put("simulators", simEndpoints);
            if (pg != null) {
                s.put("postgres", pg.describe());
            }
            if (kafkaBootstrap != null) {
                s.put("kafka", kafkaBootstrap);
            }
            if (connect != null) {
                s.put("connect", connect.url());
            }
            if (prometheus != null || prometheusProblem != null) {
                s.put("prometheus", prometheus != null ? prometheus.url() : "not running: " + prometheusProblem);
            }
            if (adminKey != null) {
                s.put("admin_key", adminKey);
            }
            Path tmp = opts.stateDir().resolve("state.json.tmp");
            JSON.writeValue(tmp.toFile(), s);
            Files.move(
                    tmp,
                    opts.stateDir().resolve("state.json"),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Postgres postgres() {
        return pg;
    }

    /** Kafka's first node (the only one in the small stack). */
    public KafkaBroker kafka() {
        return kafkas.isEmpty() ? null : kafkas.get(0);
    }

    /** Every Kafka node this stack started. */
    public List<KafkaBroker> kafkaNodes() {
        return kafkas;
    }

    /** Every Kafka Connect worker of this stack's group. */
    public List<ConnectWorker> connectWorkers() {
        return connects;
    }

    /** Every service process (replicas and per-provider gateways included). */
    public List<ServiceSpec> serviceSpecs() {
        return specs;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** Kill -9 of one Kafka node; {@link #restartKafka} starts it again. */
    public void kill9Kafka(int nodeId) {
        kafkas.get(nodeId - 1).kill9();
    }

    public void restartKafka(int nodeId) {
        KafkaBroker k = kafkas.get(nodeId - 1);
        k.restart();
        component(
                kafkaName(k),
                k.address(),
                k.proc().pid(),
                Map.of("restarted_at", Instant.now().toString()));
        writeState();
    }

    private String kafkaName(KafkaBroker k) {
        return kafkas.size() == 1 ? "kafka" : "kafka-" + k.nodeId();
    }

    /**
     * A profile's data belongs to one Kafka size: a single broker's logs and a cluster's are not
     * interchangeable, so changing the size needs {@code --fresh} rather than a silent new cluster
     * beside a database whose outbox positions pointed into the old one.
     */
    private void checkTopology() throws IOException {
        Path f = opts.stateDir().resolve("topology");
        String want = "kafka-brokers=" + opts.scale().kafkaBrokers();
        if (Files.exists(f) && !Files.readString(f).trim().equals(want)) {
            throw new IllegalStateException(
                    "this profile's data was made with " + Files.readString(f).trim() + ", not " + want
                            + ": start it as before, or add --fresh to start over");
        }
        Files.writeString(f, want);
    }

    public ConnectWorker connect() {
        return connect;
    }

    /** The token services expect from each other (tests that call a service directly send it). */
    public String internalTokenValue() {
        return internalToken;
    }

    public String adminKeyValue() {
        return adminKey;
    }

    public Path logs() {
        return logs;
    }

    /** Stops everything in reverse order; safe to call twice. */
    @Override
    public synchronized void close() {
        if ("stopped".equals(phase)) {
            return;
        }
        phase = "stopping";
        writeQuietly();
        // all at once: a test JVM's shutdown hook has little time, and services stop independently
        serviceProcs.forEach(Proc::terminate);
        if (simulators != null) {
            simulators.terminate();
        }
        if (prometheus != null) {
            prometheus.proc().terminate();
        }
        serviceProcs.forEach(p -> p.stop(20));
        if (prometheus != null) {
            prometheus.close();
        }
        if (simulators != null) {
            simulators.stop(10);
        }
        // after every process that reads the clock has stopped: the position the next start resumes
        saveClock(true);
        if (ownsInfra) {
            connects.forEach(ConnectWorker::close);
            kafkas.forEach(KafkaBroker::close);
            if (pg != null) {
                pg.close();
            }
        }
        phase = "stopped";
        writeQuietly();
    }

    private void writeQuietly() {
        try {
            writeState();
        } catch (RuntimeException ignored) {
            // the state file is advisory while stopping
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
