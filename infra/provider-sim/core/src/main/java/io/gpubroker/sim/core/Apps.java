package io.gpubroker.sim.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The model servers ("apps") of one simulated instance, and the {@code docker} CLI its SSH host
 * answers with. An app is a real {@link AppServer} on a loopback port: the external port published
 * for its VM port. Providers publish ports the way their API reports them ({@link #publish}); a
 * {@code docker run -p H:C} starts the app on the external port published for {@code H}, or on a
 * fresh free loopback port that then becomes the mapping. Container providers (Vast) start the
 * instance's own process with {@link #runEntrypoint}.
 *
 * <p>Faults (the owner's {@link SimInstance#fault}, or applied live with {@link #fault}):
 * {@code app_never_healthy}, {@code app_crash}, {@code image_pull_failed}. Thread-safe: docker
 * commands arrive on SSH threads, the control view reads on the event loop.
 */
public final class Apps {

    /** Instance fault kinds handled here. */
    public static final Set<String> FAULTS =
            Set.of("app_never_healthy", "app_crash", "image_pull_failed", "app_inference_fails");

    private static final String DOCKER_VERSION = "Docker version 27.3.1, build ce12230";
    private static final Set<String> DOCKER_COMMANDS = Set.of(
            "attach",
            "build",
            "builder",
            "buildx",
            "commit",
            "compose",
            "config",
            "container",
            "context",
            "cp",
            "create",
            "diff",
            "events",
            "exec",
            "export",
            "history",
            "image",
            "images",
            "import",
            "info",
            "inspect",
            "kill",
            "load",
            "login",
            "logout",
            "logs",
            "manifest",
            "network",
            "node",
            "pause",
            "plugin",
            "port",
            "ps",
            "pull",
            "push",
            "rename",
            "restart",
            "rm",
            "rmi",
            "run",
            "save",
            "search",
            "secret",
            "service",
            "stack",
            "start",
            "stats",
            "stop",
            "swarm",
            "system",
            "tag",
            "top",
            "trust",
            "unpause",
            "update",
            "version",
            "volume",
            "wait");

    /** One container: {@code docker run}'s, or the instance's own process on a container provider. */
    private final class Container {
        final String id;
        final String name;
        final String image;
        final String model;
        final List<String> args;
        final List<DockerCli.Publish> publish;
        final boolean rm;
        final String restart;
        final Instant created = clock.now();
        final List<AppServer> servers = new ArrayList<>();
        /** Stopped (docker stop/kill, or the machine went down): the exit code; null while up. */
        Integer stoppedWith;
        /** Went down with its machine (not stopped through docker): a restart policy brings it back. */
        boolean downWithHost;

        Container(
                String id,
                String name,
                String image,
                String model,
                List<String> args,
                List<DockerCli.Publish> publish,
                boolean rm,
                String restart) {
            this.id = id != null ? id : (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
            this.name = name;
            this.image = image;
            this.model = model;
            this.args = args;
            this.publish = publish;
            this.rm = rm;
            this.restart = restart;
        }

        Container fresh() {
            return new Container(id, name, image, model, args, publish, rm, restart);
        }

        boolean running() {
            return stoppedWith == null && servers.stream().noneMatch(s -> s.state() == AppServer.State.CRASHED);
        }

        int exitCode() {
            return stoppedWith != null ? stoppedWith : 1;
        }

        String shortId() {
            return id.substring(0, 12);
        }
    }

    private final SimInstance owner;
    private final SimClock clock;
    private final Supplier<Duration> loadTime;
    /** VM port → external loopback port, in publishing order. */
    private final Map<Integer, Integer> published = new LinkedHashMap<>();

    private final List<Container> containers = new ArrayList<>();
    private int unnamed;

    /**
     * @param loadTime simulated time a model takes to load, read when each app starts
     */
    public Apps(SimInstance owner, SimClock clock, Supplier<Duration> loadTime) {
        this.owner = owner;
        this.clock = clock;
        this.loadTime = loadTime;
    }

    // ------------------------------------------------------------------ ports

    /** The external port published for {@code vmPort}, allocating a free loopback port the first time. */
    public synchronized int publish(int vmPort) {
        Integer ext = published.get(vmPort);
        if (ext == null) {
            ext = freePort();
            published.put(vmPort, ext);
        }
        return ext;
    }

    /** VM port → external port, as published so far. */
    public synchronized Map<Integer, Integer> published() {
        return new LinkedHashMap<>(published);
    }

    // ------------------------------------------------------------------ starting and stopping

    /**
     * Starts the instance's own process (a container provider's instance IS the container):
     * replaces an earlier one of the same name, one app per VM port. Blocking (binds ports).
     */
    public void runEntrypoint(String name, String image, String model, List<Integer> vmPorts) throws IOException {
        List<AppServer> old = new ArrayList<>();
        Container c;
        synchronized (this) {
            Container prev = byName(name);
            if (prev != null) {
                containers.remove(prev);
                old.addAll(prev.servers);
            }
            List<DockerCli.Publish> publish =
                    vmPorts.stream().map(p -> new DockerCli.Publish(p, p)).toList();
            c = new Container(null, name, image, model, List.of(), publish, false, null);
            containers.add(c);
        }
        old.forEach(AppServer::close);
        startServers(c);
    }

    /** Stops every app (instance stopped, dead or destroyed); returns at once if none runs. Blocking. */
    public void closeAll() {
        List<AppServer> toClose = new ArrayList<>();
        synchronized (this) {
            for (Container c : containers) {
                if (c.stoppedWith == null) {
                    c.downWithHost = c.running();
                    c.stoppedWith = 137;
                }
                toClose.addAll(c.servers);
            }
        }
        toClose.forEach(AppServer::close);
    }

    /**
     * The machine is up again: containers that went down with it and have the restart policy
     * {@code always} or {@code unless-stopped} start again (same id, the model loads anew), as
     * the docker daemon does at boot. Blocking.
     */
    public void resumeAfterBoot() {
        List<Container> again = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < containers.size(); i++) {
                Container c = containers.get(i);
                if (c.downWithHost && ("always".equals(c.restart) || "unless-stopped".equals(c.restart))) {
                    Container f = c.fresh();
                    containers.set(i, f);
                    again.add(f);
                }
            }
        }
        for (Container c : again) {
            try {
                startServers(c);
            } catch (IOException e) {
                // the port was taken meanwhile: the container stays down, as docker's would
            }
        }
    }

    /** Applies an app fault to the running apps (and, through the owner's fault, to later ones). Blocking. */
    public void fault(String kind) {
        List<AppServer> servers = new ArrayList<>();
        synchronized (this) {
            for (Container c : containers) {
                if (c.stoppedWith == null) {
                    servers.addAll(c.servers);
                }
            }
        }
        switch (kind) {
            case "app_never_healthy" -> servers.forEach(AppServer::neverHealthy);
            case "app_inference_fails" -> servers.forEach(AppServer::inferenceFails);
            case "app_crash" -> servers.forEach(AppServer::crash);
            default -> {
                // image_pull_failed only affects later pulls
            }
        }
    }

    /** Every app that was started and not removed, for the control view. */
    public synchronized List<Map<String, Object>> view() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Container c : containers) {
            for (AppServer s : c.servers) {
                Map<String, Object> m = s.view();
                m.put("container", c.name);
                m.put("container_id", c.shortId());
                out.add(m);
            }
        }
        return out;
    }

    /** The running app servers (tests and providers). */
    public synchronized List<AppServer> servers() {
        List<AppServer> out = new ArrayList<>();
        containers.forEach(c -> out.addAll(c.servers));
        return out;
    }

    private void startServers(Container c) throws IOException {
        Duration load = loadTime.get();
        String fault = owner.fault;
        List<AppServer> started = new ArrayList<>();
        try {
            for (DockerCli.Publish p : c.publish) {
                int ext;
                int vmPort;
                synchronized (this) {
                    if (p.vmPort() != null) {
                        vmPort = p.vmPort();
                        ext = publish(vmPort);
                    } else {
                        ext = freePort();
                        vmPort = ext;
                        published.put(vmPort, ext);
                    }
                }
                AppServer s = new AppServer(c.image, c.model, vmPort, p.containerPort(), clock, load).start(ext);
                started.add(s);
                if ("app_never_healthy".equals(fault)) {
                    s.neverHealthy();
                } else if ("app_inference_fails".equals(fault)) {
                    s.inferenceFails();
                } else if ("app_crash".equals(fault)) {
                    // dies as the model finishes loading (an OOM at load time): never healthy, then refused
                    s.crashAt(s.startedAt().plus(load));
                }
            }
        } catch (IOException e) {
            started.forEach(AppServer::close);
            synchronized (this) {
                c.stoppedWith = 128;
            }
            throw e;
        }
        boolean gone;
        synchronized (this) {
            c.servers.addAll(started);
            gone = owner.destroyed || c.stoppedWith != null;
        }
        if (gone) {
            started.forEach(AppServer::close);
        }
    }

    private boolean pullFails() {
        return "image_pull_failed".equals(owner.fault);
    }

    /** What the daemon says when the image cannot be pulled. */
    public static String pullError(String image) {
        String ref = reference(image);
        return "Error response from daemon: manifest for " + ref + " not found: manifest unknown: manifest unknown";
    }

    private static String reference(String image) {
        String last = image.substring(image.lastIndexOf('/') + 1);
        return last.contains(":") || last.contains("@") ? image : image + ":latest";
    }

    private Container byName(String nameOrId) {
        for (Container c : containers) {
            if (c.name.equals(nameOrId) || nameOrId.length() >= 4 && c.id.startsWith(nameOrId)) {
                return c;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ docker CLI

    /** Runs {@code docker ARGS...}; returns the exit code. Blocking. */
    public int docker(List<String> args, StringBuilder out, StringBuilder err) {
        if (args.isEmpty() || args.get(0).equals("--help")) {
            out.append("\nUsage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\n"
                    + "Common Commands:\n  run         Create and run a new container from an image\n"
                    + "  ps          List containers\n  pull        Download an image from a registry\n"
                    + "  logs        Fetch the logs of a container\n");
            return 0;
        }
        String cmd = args.get(0);
        List<String> rest = args.subList(1, args.size());
        if (cmd.equals("container") && !rest.isEmpty()) {
            cmd = rest.get(0).equals("ls") ? "ps" : rest.get(0);
            rest = rest.subList(1, rest.size());
        }
        try {
            return switch (cmd) {
                case "--version", "-v" -> {
                    out.append(DOCKER_VERSION).append('\n');
                    yield 0;
                }
                case "version" -> {
                    out.append("Client: Docker Engine - Community\n Version:           27.3.1\n\n"
                            + "Server: Docker Engine - Community\n Engine:\n  Version:          27.3.1\n");
                    yield 0;
                }
                case "run" -> run(DockerCli.parseRun(rest), out, err);
                case "pull" -> pull(rest, out, err);
                case "ps" -> ps(rest, out);
                case "logs" -> logs(rest, out, err);
                case "stop", "kill" -> stop(cmd, rest, out, err);
                case "rm" -> rm(rest, out, err);
                case "start", "restart" -> restart(cmd, rest, out, err);
                default -> {
                    if (DOCKER_COMMANDS.contains(cmd)) {
                        err.append("docker ").append(cmd).append(": not supported by the provider simulator\n");
                        yield 1;
                    }
                    err.append("docker: '").append(cmd).append("' is not a docker command.\nSee 'docker --help'\n");
                    yield 1;
                }
            };
        } catch (DockerCli.Failure f) {
            err.append(f.getMessage()).append('\n');
            return f.exitCode();
        }
    }

    private int run(DockerCli.Run r, StringBuilder out, StringBuilder err) {
        Container c;
        synchronized (this) {
            String name = r.name() != null ? r.name() : "sim_app_" + (++unnamed);
            Container clash = byNameExact(name);
            if (clash != null) {
                err.append("docker: Error response from daemon: Conflict. The container name \"/")
                        .append(name)
                        .append("\" is already in use by container \"")
                        .append(clash.id)
                        .append("\". You have to remove (or rename) that container to be able to reuse that name.\n")
                        .append("See 'docker run --help'.\n");
                return 125;
            }
            if (pullFails()) {
                err.append("Unable to find image '")
                        .append(reference(r.image()))
                        .append("' locally\n")
                        .append("docker: ")
                        .append(pullError(r.image()))
                        .append(".\nSee 'docker run --help'.\n");
                return 125;
            }
            for (DockerCli.Publish p : r.publish()) {
                if (p.vmPort() != null && runningOn(p.vmPort()) != null) {
                    err.append(
                                    "docker: Error response from daemon: driver failed programming external connectivity on endpoint ")
                            .append(name)
                            .append(": Bind for 0.0.0.0:")
                            .append(p.vmPort())
                            .append(" failed: port is already allocated.\nSee 'docker run --help'.\n");
                    return 125;
                }
            }
            c = new Container(
                    null,
                    name,
                    r.image(),
                    DockerCli.model(r.args(), r.env(), r.image()),
                    r.args(),
                    r.publish(),
                    r.rm(),
                    r.restart());
            containers.add(c);
        }
        try {
            startServers(c);
        } catch (IOException e) {
            err.append(
                            "docker: Error response from daemon: driver failed programming external connectivity on endpoint ")
                    .append(c.name)
                    .append(": ")
                    .append(e.getMessage())
                    .append(".\n");
            return 125;
        }
        out.append(c.id).append('\n');
        return 0;
    }

    private Container byNameExact(String name) {
        for (Container c : containers) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        return null;
    }

    private Container runningOn(int vmPort) {
        for (Container c : containers) {
            if (c.stoppedWith == null && c.servers.stream().anyMatch(s -> s.vmPort() == vmPort && s.listening())) {
                return c;
            }
        }
        return null;
    }

    private int pull(List<String> args, StringBuilder out, StringBuilder err) {
        List<String> images = args.stream().filter(a -> !a.startsWith("-")).toList();
        if (images.isEmpty()) {
            err.append("\"docker pull\" requires exactly 1 argument.\nSee 'docker pull --help'.\n");
            return 1;
        }
        String image = images.get(0);
        if (pullFails()) {
            err.append(pullError(image)).append('\n');
            return 1;
        }
        String ref = reference(image);
        out.append(ref.substring(ref.lastIndexOf(':') + 1))
                .append(": Pulling from ")
                .append(image.replaceFirst("[:@].*$", ""))
                .append("\nStatus: Downloaded newer image for ")
                .append(ref)
                .append('\n')
                .append(ref.contains("/") ? "docker.io/" + ref : "docker.io/library/" + ref)
                .append('\n');
        return 0;
    }

    private synchronized int ps(List<String> args, StringBuilder out) {
        boolean combined = args.contains("-aq") || args.contains("-qa");
        boolean all = combined || args.contains("-a") || args.contains("--all");
        boolean quiet = combined || args.contains("-q") || args.contains("--quiet");
        List<Container> shown =
                containers.stream().filter(c -> all || c.running()).toList();
        if (quiet) {
            shown.forEach(c -> out.append(c.shortId()).append('\n'));
            return 0;
        }
        String fmt = "%-15s%-33s%-26s%-17s%-26s%-32s%s%n";
        out.append(String.format(fmt, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"));
        for (Container c : shown) {
            String command = "\"" + abbreviate(String.join(" ", c.args), 20) + "\"";
            String age = age(c.created);
            String status = c.running() ? "Up " + age : "Exited (" + c.exitCode() + ") " + age + " ago";
            StringBuilder ports = new StringBuilder();
            if (c.running()) {
                for (AppServer s : c.servers) {
                    ports.append(ports.length() == 0 ? "" : ", ")
                            .append("0.0.0.0:")
                            .append(s.vmPort())
                            .append("->")
                            .append(s.containerPort())
                            .append("/tcp");
                }
            }
            out.append(String.format(
                    fmt, c.shortId(), abbreviate(c.image, 30), command, age + " ago", status, ports, c.name));
        }
        return 0;
    }

    private synchronized int logs(List<String> args, StringBuilder out, StringBuilder err) {
        List<String> names = args.stream().filter(a -> !a.startsWith("-")).toList();
        Container c = names.isEmpty() ? null : byName(names.get(names.size() - 1));
        if (c == null) {
            err.append("Error response from daemon: No such container: ")
                    .append(names.isEmpty() ? "" : names.get(names.size() - 1))
                    .append('\n');
            return 1;
        }
        out.append("INFO:     Started server process [1]\n");
        out.append("INFO:     Loading model ").append(c.model).append('\n');
        for (AppServer s : c.servers) {
            switch (s.state()) {
                case HEALTHY ->
                    out.append("INFO:     Application startup complete.\nINFO:     Uvicorn running on http://0.0.0.0:")
                            .append(s.containerPort())
                            .append('\n');
                case CRASHED ->
                    out.append("ERROR:    Engine core initialization failed. See root cause above.\n"
                            + "RuntimeError: CUDA error: out of memory\n");
                default -> {}
            }
        }
        return 0;
    }

    private int stop(String cmd, List<String> args, StringBuilder out, StringBuilder err) {
        int code = 0;
        List<AppServer> toClose = new ArrayList<>();
        synchronized (this) {
            for (String n : containerArgs(args)) {
                Container c = byName(n);
                if (c == null) {
                    err.append("Error response from daemon: No such container: ")
                            .append(n)
                            .append('\n');
                    code = 1;
                    continue;
                }
                if (c.stoppedWith == null) {
                    c.stoppedWith = cmd.equals("kill") ? 137 : 0;
                }
                toClose.addAll(c.servers);
                if (c.rm) {
                    containers.remove(c);
                }
                out.append(n).append('\n');
            }
        }
        toClose.forEach(AppServer::close);
        return code;
    }

    private int rm(List<String> args, StringBuilder out, StringBuilder err) {
        boolean force = args.contains("-f") || args.contains("--force");
        int code = 0;
        List<AppServer> toClose = new ArrayList<>();
        synchronized (this) {
            for (String n : containerArgs(args)) {
                Container c = byName(n);
                if (c == null) {
                    err.append("Error response from daemon: No such container: ")
                            .append(n)
                            .append('\n');
                    code = 1;
                    continue;
                }
                if (c.running() && !force) {
                    err.append("Error response from daemon: cannot remove container \"/")
                            .append(c.name)
                            .append("\": container is running: stop the container before removing or force remove\n");
                    code = 1;
                    continue;
                }
                containers.remove(c);
                toClose.addAll(c.servers);
                out.append(n).append('\n');
            }
        }
        toClose.forEach(AppServer::close);
        return code;
    }

    private int restart(String cmd, List<String> args, StringBuilder out, StringBuilder err) {
        int code = 0;
        for (String n : containerArgs(args)) {
            Container c;
            Container fresh;
            List<AppServer> old;
            synchronized (this) {
                c = byName(n);
                if (c == null) {
                    err.append("Error response from daemon: No such container: ")
                            .append(n)
                            .append('\n');
                    code = 1;
                    continue;
                }
                if (cmd.equals("start") && c.running()) {
                    out.append(n).append('\n');
                    continue;
                }
                old = new ArrayList<>(c.servers);
                fresh = c.fresh();
                containers.set(containers.indexOf(c), fresh);
            }
            old.forEach(AppServer::close);
            try {
                startServers(fresh);
                out.append(n).append('\n');
            } catch (IOException e) {
                err.append("Error response from daemon: ")
                        .append(e.getMessage())
                        .append('\n');
                code = 1;
            }
        }
        return code;
    }

    private static List<String> containerArgs(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-t") || a.equals("--time") || a.equals("-s") || a.equals("--signal")) {
                i++;
            } else if (!a.startsWith("-")) {
                out.add(a);
            }
        }
        return out;
    }

    private String age(Instant since) {
        long s = Math.max(0, Duration.between(since, clock.now()).getSeconds());
        if (s < 60) {
            return s <= 1 ? "Less than a second" : s + " seconds";
        }
        if (s < 3600) {
            return s / 60 == 1 ? "About a minute" : s / 60 + " minutes";
        }
        return s / 3600 == 1 ? "About an hour" : s / 3600 + " hours";
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized String toString() {
        return "Apps of " + owner.id + ": ports " + published + ", " + containers.size() + " container(s)";
    }
}
