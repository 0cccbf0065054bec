package io.gpubroker.deploy;

import static io.gpubroker.deploy.Yaml.map;
import static io.gpubroker.deploy.Yaml.resource;

import io.gpubroker.stack.ServiceSpec;
import io.gpubroker.stack.Stack;
import io.gpubroker.stack.StackPorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Deployment and a Service per broker service, with the launcher's ports ({@link StackPorts}); one
 * provider-gateway Deployment per provider ({@link Stack#PROVIDERS}), the same image with only its own
 * provider enabled (its command consumer then gets its own group, see provider-gateway's README).
 * Non-secret settings come from the {@code gpu-broker-config} ConfigMap, secrets from the
 * {@code gpu-broker-secrets} Secret, key by key, so a service sees only the secrets it reads.
 */
final class ServiceDeployments {
    static final String CONFIG = "gpu-broker-config";
    static final String SECRETS = "gpu-broker-secrets";
    private static final String PROVIDER_GATEWAY = "provider-gateway";

    private final List<ServiceSpec> services = StackPorts.forProfile("local").services();
    private final Versions versions;

    ServiceDeployments(Versions versions) {
        this.versions = versions;
    }

    List<Map<String, Object>> all() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ServiceSpec s : services) {
            if (s.name().equals(PROVIDER_GATEWAY)) {
                for (String provider : Stack.PROVIDERS) {
                    String name = PROVIDER_GATEWAY + "-" + provider;
                    out.add(deployment(s, name, 1, providerEnv(provider), secrets(s, List.of(provider))));
                    out.add(service(s, name));
                }
            } else {
                // two replicas: every service's timers claim rows with FOR UPDATE SKIP LOCKED and its
                // consumers share a group, so a second pod adds capacity and survives a node loss
                // no provider key outside provider-gateway: billing reads provider truth through it (ADR 0010)
                out.add(deployment(s, s.name(), 2, List.of(), secrets(s, List.of())));
                out.add(service(s, s.name()));
            }
        }
        return out;
    }

    private Map<String, Object> deployment(
            ServiceSpec s, String name, int replicas, List<Object> extraEnv, List<Object> secretEnv) {
        List<Object> env = new ArrayList<>();
        env.add(map("name", "QUARKUS_HTTP_PORT", "value", String.valueOf(s.port())));
        for (ServiceSpec other : services) {
            env.add(map("name", "BROKER_SERVICES_" + upper(other.name()) + "_URL", "value", url(s, other)));
        }
        env.addAll(extraEnv);
        env.addAll(secretEnv);
        Map<String, Object> probe = map(
                "httpGet", map("path", "/q/health/ready", "port", "http"), "periodSeconds", 10, "failureThreshold", 3);
        Map<String, Object> container = map(
                "name", s.name(),
                "image", "gpu-broker/" + s.name() + ":" + versions.images(),
                "imagePullPolicy", "IfNotPresent",
                "ports", List.of(map("name", "http", "containerPort", s.port())),
                "envFrom", List.of(map("configMapRef", map("name", CONFIG))),
                "env", env,
                // Flyway migrates at start: liveness waits until the service has started
                "startupProbe",
                        map(
                                "httpGet",
                                map("path", "/q/health/started", "port", "http"),
                                "periodSeconds",
                                5,
                                "failureThreshold",
                                60),
                "readinessProbe", probe,
                "livenessProbe",
                        map(
                                "httpGet",
                                map("path", "/q/health/live", "port", "http"),
                                "periodSeconds",
                                10,
                                "failureThreshold",
                                3),
                "resources",
                        map(
                                "requests",
                                map("cpu", "250m", "memory", "512Mi"),
                                "limits",
                                map("cpu", "1", "memory", "768Mi")),
                "securityContext",
                        map(
                                "runAsNonRoot",
                                true,
                                "runAsUser",
                                185,
                                "allowPrivilegeEscalation",
                                false,
                                "readOnlyRootFilesystem",
                                true,
                                "capabilities",
                                map("drop", List.of("ALL"))),
                "volumeMounts", List.of(map("name", "tmp", "mountPath", "/tmp")));
        Map<String, Object> labels = labels(s, name);
        return resource(
                "apps/v1",
                "Deployment",
                map("name", name, "labels", labels),
                "spec",
                map(
                        "replicas",
                        replicas,
                        "selector",
                        map("matchLabels", map("app.kubernetes.io/instance", name)),
                        "template",
                        map(
                                "metadata",
                                        map(
                                                "labels",
                                                labels,
                                                "annotations",
                                                map(
                                                        "prometheus.io/scrape",
                                                        "true",
                                                        "prometheus.io/path",
                                                        "/q/metrics",
                                                        "prometheus.io/port",
                                                        String.valueOf(s.port()))),
                                "spec",
                                        map(
                                                "terminationGracePeriodSeconds",
                                                30,
                                                "containers",
                                                List.of(container),
                                                "volumes",
                                                List.of(map("name", "tmp", "emptyDir", map()))))));
    }

    private static Map<String, Object> service(ServiceSpec s, String name) {
        return resource(
                "v1",
                "Service",
                map("name", name, "labels", labels(s, name)),
                "spec",
                map(
                        "selector",
                        map("app.kubernetes.io/instance", name),
                        "ports",
                        List.of(map("name", "http", "port", s.port(), "targetPort", "http"))));
    }

    private static Map<String, Object> labels(ServiceSpec s, String name) {
        return map(
                "app.kubernetes.io/name",
                s.name(),
                "app.kubernetes.io/instance",
                name,
                "app.kubernetes.io/part-of",
                "gpu-broker");
    }

    /** Only this provider enabled; the others explicitly off. */
    private static List<Object> providerEnv(String provider) {
        List<Object> env = new ArrayList<>();
        for (String p : Stack.PROVIDERS) {
            env.add(map(
                    "name", "BROKER_PROVIDERS_" + upper(p) + "_ENABLED", "value", String.valueOf(p.equals(provider))));
        }
        return env;
    }

    private static List<Object> secrets(ServiceSpec s, List<String> providers) {
        List<String> keys = new ArrayList<>(List.of("BROKER_INTERNAL_TOKEN", "QUARKUS_DATASOURCE_PASSWORD"));
        if (s.name().equals("api-gateway")) {
            keys.add("BROKER_ADMIN_KEY");
        }
        if (s.name().equals("session-service")) {
            keys.add("BROKER_VERIFY_SECRET");
        }
        List<Object> env = new ArrayList<>();
        for (String k : keys) {
            env.add(map("name", k, "valueFrom", map("secretKeyRef", map("name", SECRETS, "key", k))));
        }
        for (String p : providers) {
            String k = "BROKER_PROVIDERS_" + upper(p) + "_API_KEY";
            env.add(map("name", k, "valueFrom", map("secretKeyRef", map("name", SECRETS, "key", k))));
        }
        return env;
    }

    /** The URL {@code caller} is given for {@code s} (docs/adr/0017). */
    private String url(ServiceSpec caller, ServiceSpec s) {
        if (!s.name().equals(PROVIDER_GATEWAY)) {
            return "http://" + s.name() + ":" + s.port();
        }
        if (caller.name().equals("billing-service")) {
            // billing reads each provider's billing from that provider's gateway
            return String.join(
                    ",",
                    Stack.PROVIDERS.stream()
                            .map(p -> p + "=http://" + PROVIDER_GATEWAY + "-" + p + ":" + s.port())
                            .toList());
        }
        // provider-gateway's other REST caller, inventory, reads Vast templates: the Vast instance answers
        return "http://" + PROVIDER_GATEWAY + "-vastai:" + s.port();
    }

    private static String upper(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
