package io.gpubroker.sim.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsing for the simulated hosts' shell and {@code docker} CLI: shell words (quotes, backslashes,
 * redirections dropped), {@code ;}/{@code &&}/{@code ||} sequences, {@code docker run} options and
 * the model a model-server command line names.
 */
public final class DockerCli {

    /** A parse failure docker itself would report: the message (stderr) and its exit code. */
    public static final class Failure extends RuntimeException {
        private final int exitCode;

        Failure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** {@code -p [IP:][H]:C[/proto]}: {@code vmPort} null when docker picks a random host port. */
    public record Publish(Integer vmPort, int containerPort) {}

    /** A parsed {@code docker run}. */
    public record Run(
            boolean detach,
            boolean rm,
            String name,
            List<Publish> publish,
            Map<String, String> env,
            String image,
            List<String> args,
            String restart) {}

    /** One command of a {@code ;}/{@code &&}/{@code ||} sequence and the operator before it. */
    public record Step(String op, String command) {}

    /** {@code docker run} options that take a value (long form without dashes). */
    private static final Set<String> VALUE_OPTIONS = Set.of(
            "name",
            "gpus",
            "restart",
            "ipc",
            "shm-size",
            "volume",
            "env",
            "publish",
            "network",
            "net",
            "entrypoint",
            "workdir",
            "user",
            "memory",
            "memory-swap",
            "memory-reservation",
            "cpus",
            "cpuset-cpus",
            "cpu-shares",
            "label",
            "label-file",
            "mount",
            "ulimit",
            "runtime",
            "platform",
            "pull",
            "hostname",
            "add-host",
            "device",
            "cap-add",
            "cap-drop",
            "security-opt",
            "log-driver",
            "log-opt",
            "env-file",
            "health-cmd",
            "health-interval",
            "health-retries",
            "health-timeout",
            "health-start-period",
            "stop-signal",
            "stop-timeout",
            "pid",
            "uts",
            "userns",
            "group-add",
            "dns",
            "dns-search",
            "expose",
            "cidfile",
            "tmpfs",
            "volumes-from",
            "link",
            "storage-opt",
            "sysctl",
            "oom-score-adj",
            "cgroupns",
            "network-alias",
            "ip",
            "mac-address",
            "domainname",
            "attach");
    /** {@code docker run} options without a value. */
    private static final Set<String> FLAG_OPTIONS = Set.of(
            "detach",
            "rm",
            "interactive",
            "tty",
            "privileged",
            "init",
            "read-only",
            "publish-all",
            "no-healthcheck",
            "oom-kill-disable",
            "quiet",
            "sig-proxy",
            "disable-content-trust");

    private static final Map<Character, String> SHORT_VALUE = Map.of(
            'e',
            "env",
            'p',
            "publish",
            'v',
            "volume",
            'w',
            "workdir",
            'u',
            "user",
            'm',
            "memory",
            'l',
            "label",
            'h',
            "hostname",
            'c',
            "cpu-shares",
            'a',
            "attach");
    private static final Map<Character, String> SHORT_FLAG =
            Map.of('d', "detach", 'i', "interactive", 't', "tty", 'P', "publish-all", 'q', "quiet");

    private DockerCli() {}

    /**
     * Splits a command line at {@code ;}, {@code &&} and {@code ||} outside quotes. The first step's
     * operator is {@code ;}.
     */
    public static List<Step> sequence(String line) {
        List<Step> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        String op = ";";
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(c);
                    c = line.charAt(++i);
                }
                cur.append(c);
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(c).append(line.charAt(++i));
            } else if (c == ';' || (c == '&' || c == '|') && i + 1 < line.length() && line.charAt(i + 1) == c) {
                out.add(new Step(op, cur.toString().trim()));
                cur.setLength(0);
                op = c == ';' ? ";" : c == '&' ? "&&" : "||";
                if (c != ';') {
                    i++;
                }
            } else {
                cur.append(c);
            }
        }
        out.add(new Step(op, cur.toString().trim()));
        out.removeIf(s -> s.command().isEmpty());
        return out;
    }

    /**
     * Shell words of one simple command: quotes removed, backslash escapes applied, unquoted
     * redirections ({@code > f}, {@code 2>&1}, {@code >>f}) and a trailing {@code &} dropped.
     */
    public static List<String> words(String command) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        boolean dropNext = false;
        char quote = 0;
        for (int i = 0; i <= command.length(); i++) {
            char c = i < command.length() ? command.charAt(i) : ' ';
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\'
                        && quote == '"'
                        && i + 1 < command.length()
                        && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) {
                    cur.append(command.charAt(++i));
                } else {
                    cur.append(c);
                }
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    String w = cur.toString();
                    if (dropNext) {
                        dropNext = false;
                    } else if (!quoted && w.matches("[0-9]*(>>?|<)(&[0-9-])?")) {
                        dropNext = !w.contains("&");
                    } else if (!quoted && w.matches("[0-9]*(>>?|<).+")) {
                        // "2>&1", ">/dev/null": a redirection with its target attached
                    } else if (!(w.equals("&") && !quoted)) {
                        out.add(w);
                    }
                }
                cur.setLength(0);
                inWord = false;
                quoted = false;
                continue;
            }
            inWord = true;
            if (c == '\'' || c == '"') {
                quote = c;
                quoted = true;
            } else if (c == '\\' && i + 1 < command.length()) {
                cur.append(command.charAt(++i));
                quoted = true;
            } else {
                cur.append(c);
            }
        }
        if (quote != 0) {
            throw new Failure("bash: unexpected EOF while looking for matching `" + quote + "'", 2);
        }
        return out;
    }

    /** Parses the arguments after {@code docker run}. */
    public static Run parseRun(List<String> args) {
        boolean detach = false;
        boolean rm = false;
        String name = null;
        String restart = null;
        List<Publish> publish = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        int i = 0;
        while (i < args.size()) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                break;
            }
            List<String[]> opts = new ArrayList<>();
            if (a.startsWith("--")) {
                String opt = a.substring(2);
                String value = null;
                int eq = opt.indexOf('=');
                if (eq >= 0) {
                    value = opt.substring(eq + 1);
                    opt = opt.substring(0, eq);
                }
                if (VALUE_OPTIONS.contains(opt)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw needsArgument("--" + opt);
                        }
                        value = args.get(++i);
                    }
                } else if (!FLAG_OPTIONS.contains(opt)) {
                    throw new Failure("unknown flag: --" + opt + "\nSee 'docker run --help'.", 125);
                } else if (value == null) {
                    value = "true";
                }
                opts.add(new String[] {opt, value});
            } else {
                String shorts = a.substring(1);
                for (int k = 0; k < shorts.length(); k++) {
                    char c = shorts.charAt(k);
                    if (SHORT_FLAG.containsKey(c)) {
                        opts.add(new String[] {SHORT_FLAG.get(c), "true"});
                    } else if (SHORT_VALUE.containsKey(c)) {
                        String value = shorts.substring(k + 1);
                        if (value.startsWith("=")) {
                            value = value.substring(1);
                        }
                        if (value.isEmpty()) {
                            if (i + 1 >= args.size()) {
                                throw needsArgument("-" + c);
                            }
                            value = args.get(++i);
                        }
                        opts.add(new String[] {SHORT_VALUE.get(c), value});
                        break;
                    } else {
                        throw new Failure(
                                "unknown shorthand flag: '" + c + "' in " + a + "\nSee 'docker run --help'.", 125);
                    }
                }
            }
            i++;
            for (String[] o : opts) {
                switch (o[0]) {
                    case "detach" -> detach = !o[1].equals("false");
                    case "rm" -> rm = !o[1].equals("false");
                    case "name" -> name = o[1];
                    case "restart" -> restart = o[1];
                    case "publish" -> publish.add(parsePublish(o[1]));
                    case "env" -> {
                        int eq = o[1].indexOf('=');
                        if (eq > 0) {
                            env.put(o[1].substring(0, eq), o[1].substring(eq + 1));
                        } else {
                            env.put(o[1], "");
                        }
                    }
                    default -> {
                        // accepted and without effect on a simulated host (gpus, ipc, shm-size, volumes, ...)
                    }
                }
            }
        }
        if (i >= args.size()) {
            throw new Failure(
                    "docker: 'docker run' requires at least 1 argument.\n\n"
                            + "Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information",
                    1);
        }
        if (name != null && !name.matches("/?[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new Failure(
                    "docker: Error response from daemon: Invalid container name (" + name
                            + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed.\nSee 'docker run --help'.",
                    125);
        }
        String image = args.get(i);
        List<String> rest = List.copyOf(args.subList(i + 1, args.size()));
        return new Run(
                detach, rm, name == null ? null : name.replaceFirst("^/", ""), publish, env, image, rest, restart);
    }

    private static Failure needsArgument(String flag) {
        return new Failure("flag needs an argument: " + flag + "\nSee 'docker run --help'.", 125);
    }

    /** {@code [IP:][H]:C[/proto]} or {@code C}. */
    static Publish parsePublish(String spec) {
        String s = spec;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        String[] parts;
        if (s.startsWith("[")) {
            // [::1]:H:C
            int end = s.indexOf(']');
            s = end < 0 ? s : s.substring(Math.min(end + 2, s.length()));
            parts = ("x:" + s).split(":", -1);
        } else {
            parts = s.split(":", -1);
        }
        try {
            int containerPort = port(parts[parts.length - 1]);
            Integer host = null;
            if (parts.length >= 2 && !parts[parts.length - 2].isEmpty()) {
                host = port(parts[parts.length - 2]);
            }
            return new Publish(host, containerPort);
        } catch (NumberFormatException e) {
            throw new Failure("docker: Invalid containerPort: " + spec + ".\nSee 'docker run --help'.", 125);
        }
    }

    private static int port(String s) {
        int p = Integer.parseInt(s.trim());
        if (p < 1 || p > 65535) {
            throw new NumberFormatException(s);
        }
        return p;
    }

    /**
     * The model a model-server command serves: {@code --model X}, {@code --model-id X},
     * {@code --model=X}, {@code --model-id=X}; else env {@code MODEL_ID}, {@code MODEL},
     * {@code MODEL_NAME}; else the image.
     */
    public static String model(List<String> args, Map<String, String> env, String image) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("--model") || a.equals("--model-id")) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (a.startsWith("--model=") || a.startsWith("--model-id=")) {
                return a.substring(a.indexOf('=') + 1);
            }
        }
        if (env != null) {
            for (String k : List.of("MODEL_ID", "MODEL", "MODEL_NAME")) {
                String v = env.get(k);
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
        }
        return image;
    }
}
