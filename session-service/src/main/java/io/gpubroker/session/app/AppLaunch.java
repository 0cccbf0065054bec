package io.gpubroker.session.app;

import io.gpubroker.session.domain.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How an entrypoint-mode app (a model server image) is started: {@code docker run} over SSH on a
 * VM, or a start command handed to a provider whose instance is the container itself. vLLM and
 * TGI images get their serving arguments (model, quantization, port); other images get the same
 * as environment variables and keep their own entrypoint.
 */
public final class AppLaunch {
    /** The container's name on the host: a relaunch replaces it instead of starting a second one. */
    public static final String CONTAINER = "gpubroker-app";

    // values end up in a shell command line: only characters that need no quoting are accepted
    public static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}");
    public static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:-]{0,254}");
    public static final Pattern QUANTIZATION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

    enum Family {
        VLLM,
        TGI,
        OTHER
    }

    private AppLaunch() {}

    static Family family(String image) {
        String i = image == null ? "" : image.toLowerCase(Locale.ROOT);
        if (i.contains("vllm")) {
            return Family.VLLM;
        }
        if (i.contains("text-generation-inference") || i.contains("/tgi")) {
            return Family.TGI;
        }
        return Family.OTHER;
    }

    /** vLLM and TGI serve the OpenAI API: a one-token completion proves the model really runs. */
    public static boolean speaksOpenAi(String image) {
        return family(image) != Family.OTHER;
    }

    /** The port whose HTTP API must answer health: the first exposed port, else the default. */
    public static int appPort(Session s, int defaultPort) {
        List<Integer> ports = ports(s);
        return ports.isEmpty() ? defaultPort : ports.get(0);
    }

    public static List<Integer> ports(Session s) {
        List<Integer> out = new ArrayList<>();
        if (s.terms.exposedPorts != null && !s.terms.exposedPorts.isBlank()) {
            for (String p : s.terms.exposedPorts.split(",")) {
                out.add(Integer.valueOf(p.trim()));
            }
        }
        return out;
    }

    /** Arguments for the image's own entrypoint (vLLM's OpenAI server, TGI's launcher). */
    static List<String> serveArgs(Session s, int port) {
        List<String> a = new ArrayList<>();
        switch (family(s.terms.dockerImage)) {
            case VLLM -> {
                if (s.terms.modelId != null) {
                    a.addAll(List.of("--model", s.terms.modelId));
                }
                a.addAll(List.of("--host", "0.0.0.0", "--port", String.valueOf(port)));
                if (s.terms.quantization != null) {
                    a.addAll(List.of("--quantization", s.terms.quantization));
                }
            }
            case TGI -> {
                if (s.terms.modelId != null) {
                    a.addAll(List.of("--model-id", s.terms.modelId));
                }
                a.addAll(List.of("--hostname", "0.0.0.0", "--port", String.valueOf(port)));
                if (s.terms.quantization != null) {
                    a.addAll(List.of("--quantize", s.terms.quantization));
                }
            }
            default -> {}
        }
        return a;
    }

    /** {@code docker run} for a VM host (run over SSH with the broker's verification key). */
    public static String dockerRun(Session s, int defaultPort) {
        int port = appPort(s, defaultPort);
        StringBuilder c = new StringBuilder("docker run -d --name ")
                .append(CONTAINER)
                .append(" --restart unless-stopped --gpus all --ipc=host");
        List<Integer> ports = ports(s);
        if (ports.isEmpty()) {
            ports = List.of(port);
        }
        ports.forEach(p -> c.append(" -p ").append(p).append(':').append(p));
        env(s, port).forEach((k, v) -> c.append(" -e ").append(k).append('=').append(v));
        c.append(' ').append(s.terms.dockerImage);
        serveArgs(s, port).forEach(a -> c.append(' ').append(a));
        return c.toString();
    }

    /**
     * What a container provider (Vast) runs after boot: its SSH runtype replaces the image's
     * entrypoint, so the server is started explicitly. Null for images the broker cannot start by name.
     */
    public static String startCommand(Session s, int defaultPort) {
        int port = appPort(s, defaultPort);
        String serve = switch (family(s.terms.dockerImage)) {
            case VLLM -> "python3 -m vllm.entrypoints.openai.api_server";
            case TGI -> "text-generation-launcher";
            default -> null;
        };
        if (serve == null) {
            return null;
        }
        return "nohup " + serve + " " + String.join(" ", serveArgs(s, port)) + " > /var/log/" + CONTAINER
                + ".log 2>&1 &";
    }

    /** Environment for the app: what generic images read (and what the others ignore). */
    public static java.util.Map<String, String> env(Session s, int port) {
        java.util.Map<String, String> e = new java.util.LinkedHashMap<>();
        if (s.terms.modelId != null) {
            e.put("MODEL_ID", s.terms.modelId);
        }
        if (s.terms.quantization != null) {
            e.put("QUANTIZATION", s.terms.quantization);
        }
        e.put("PORT", String.valueOf(port));
        return e;
    }
}
