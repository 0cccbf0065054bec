package io.gpubroker.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a service as the container of its Kubernetes Deployment — the generated
 * {@code infra/deploy/k8s/base/generated/services.yaml}, the same document a cluster gets — with
 * {@code podman kube play}: one replica on the host network (the local PostgreSQL, Kafka and simulators
 * are host processes), the environment the launcher gives the process form written as values (no
 * ConfigMap or Secret objects: podman 4.3 cannot resolve a {@code secretKeyRef} from a kustomize Secret),
 * and no container port or probes (podman refuses ports with host networking and runs probes with a
 * {@code curl} the image does not have; the launcher waits on the health endpoints itself).
 */
final class KubePlay {
    static final Path MANIFEST = Path.of("infra/deploy/k8s/base/generated/services.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path root;
    private final Path dir;
    private final String prefix;

    KubePlay(Path root, Path stateDir, String profile) {
        this.root = root;
        this.dir = stateDir.resolve("kube");
        this.prefix = "gpub-" + profile + "-";
    }

    /** The Deployment this service runs as: its own, or for the all-providers gateway, a provider's. */
    ObjectNode deployment(ServiceSpec s) {
        String wanted = s.provider() == null ? s.service() : s.service() + "-" + s.provider();
        ObjectNode fallback = null;
        try (var parser = YAML.createParser(root.resolve(MANIFEST).toFile())) {
            for (var it = YAML.readValues(parser, ObjectNode.class); it.hasNext(); ) {
                ObjectNode d = it.next();
                if (!"Deployment".equals(d.path("kind").asText())) {
                    continue;
                }
                String name = d.path("metadata").path("name").asText();
                if (name.equals(wanted)) {
                    return d;
                }
                if (fallback == null && name.startsWith(s.service() + "-")) {
                    fallback = d;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MANIFEST + " (./broker manifests writes it)", e);
        }
        if (fallback == null) {
            throw new IllegalStateException("no Deployment for " + s.name() + " in " + MANIFEST);
        }
        return fallback;
    }

    /** The kube-play document of one service: its Deployment adapted to one host, with {@code env} as values. */
    ObjectNode document(ServiceSpec s, Map<String, String> env) {
        ObjectNode d = deployment(s).deepCopy();
        ((ObjectNode) d.path("metadata")).put("name", prefix + s.name());
        ObjectNode spec = (ObjectNode) d.path("spec");
        spec.put("replicas", 1);
        ObjectNode pod = (ObjectNode) spec.path("template").path("spec");
        pod.put("hostNetwork", true);
        ObjectNode c = (ObjectNode) pod.path("containers").get(0);
        c.remove(List.of("ports", "envFrom", "startupProbe", "readinessProbe", "livenessProbe", "resources"));
        ArrayNode vars = c.putArray("env");
        env.forEach((k, v) -> vars.addObject().put("name", k).put("value", v));
        // podman 4.3 has no emptyDir: each such volume becomes a directory of this stack, writable by the
        // service user (the root file system stays read-only)
        for (var v : pod.path("volumes")) {
            if (v.has("emptyDir")) {
                Path host = dir.resolve(s.name() + "-" + v.path("name").asText());
                try {
                    Files.createDirectories(host);
                    Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rwxrwxrwx"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                ((ObjectNode) v).remove("emptyDir");
                ((ObjectNode) v)
                        .putObject("hostPath")
                        .put("path", host.toAbsolutePath().toString())
                        .put("type", "Directory");
            }
        }
        return d;
    }

    String container(ServiceSpec s, ObjectNode doc) {
        // a Deployment's pods are <deployment>-pod-<n>, their containers <pod>-<container>
        return prefix + s.name() + "-pod-0-"
                + doc.path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers")
                        .get(0)
                        .path("name")
                        .asText();
    }

    /**
     * Plays the service's document (replacing a pod left from an earlier run) and follows its container's
     * output into {@code log}: the returned process lives as long as the container, and stopping it
     * takes the pod down.
     */
    Proc play(ServiceSpec s, Map<String, String> env, Path log) {
        ObjectNode doc = document(s, env);
        Path file = dir.resolve(s.name() + ".yaml");
        try {
            Files.createDirectories(dir);
            // the environment holds the stack's generated secrets: owner-only, like the secret files beside it
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            YAML.writeValue(file.toFile(), doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(log, "podman", "kube", "play", "--replace", file.toString());
        String container = container(s, doc);
        Runnable down = () -> run(log, "podman", "kube", "down", file.toString());
        Runnable kill = () -> run(log, "podman", "kill", "--signal", "KILL", container);
        Path conf = root.resolve(".broker/containers.conf");
        Map<String, String> podmanEnv = System.getenv("CONTAINERS_CONF") == null && Files.exists(conf)
                ? Map.of("CONTAINERS_CONF", conf.toString())
                : Map.of();
        return Proc.start(s.name(), List.of("podman", "logs", "-f", container), podmanEnv, log)
                .withStop(down, kill);
    }

    /** Takes down every pod this profile played (after a launcher that could not, e.g. one killed -9). */
    void downAll() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                run(null, "podman", "kube", "down", f.toString());
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void run(Path log, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true);
            // the limits ./broker images configured for this machine (podman's defaults fail here)
            Path conf = root.resolve(".broker/containers.conf");
            if (System.getenv("CONTAINERS_CONF") == null && Files.exists(conf)) {
                pb.environment().put("CONTAINERS_CONF", conf.toString());
            }
            pb.redirectOutput(
                    log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not end in 120 s");
            }
            if (p.exitValue() != 0 && cmd.length > 2 && cmd[2].equals("play")) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " failed (exit " + p.exitValue() + "); see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd[0] + " (./broker up --containers installs podman)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
