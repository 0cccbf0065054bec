package io.gpubroker.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child JVM (or other program) of the stack, with its log file and a clean stop. */
public final class Proc {
    private final String name;
    private final Process process;
    private final Path log;
    /** For a process that only follows something running elsewhere (a container): how to stop and kill that. */
    private final Runnable onStop;

    private final Runnable onKill;
    private Thread stopping;

    private Proc(String name, Process process, Path log, Runnable onStop, Runnable onKill) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.onStop = onStop;
        this.onKill = onKill;
    }

    /**
     * The same process, standing for something it only follows (a container whose output it streams):
     * stopping runs {@code stop} (which ends the followed thing and so this process), kill -9 runs {@code kill}.
     */
    public Proc withStop(Runnable stop, Runnable kill) {
        return new Proc(name, process, log, stop, kill);
    }

    /** Starts {@code java <jvmArgs> -cp <classpath> <mainClass> <args>} with output to {@code log}. */
    public static Proc java(
            String name,
            List<String> jvmArgs,
            String classpath,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        if (classpath != null) {
            cmd.add("-cp");
            cmd.add(classpath);
        }
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(name, cmd, env, log);
    }

    public static Proc start(String name, List<String> cmd, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            return new Proc(name, pb.start(), log, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Joins every jar of {@code dir} (and the extra entries) into a classpath. */
    public static String classpath(Path dir, Path... extra) {
        StringBuilder sb = new StringBuilder(dir.toAbsolutePath() + File.separator + "*");
        for (Path p : extra) {
            sb.append(File.pathSeparator).append(p.toAbsolutePath());
        }
        return sb.toString();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}; also kills anything it started. */
    public void stop(int graceSeconds) {
        if (onStop != null) {
            terminate();
            joinStop(graceSeconds);
        }
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Asks the process to stop (SIGTERM) without waiting, so several can stop in parallel. */
    public void terminate() {
        if (onStop != null) {
            synchronized (this) {
                if (stopping == null) {
                    stopping = new Thread(onStop, name + "-stop");
                    stopping.start();
                }
            }
            return;
        }
        if (process.isAlive()) {
            process.destroy();
        }
    }

    private void joinStop(int graceSeconds) {
        try {
            // podman's own stop timeout (10 s) comes before its SIGKILL: allow for it
            stopping.join((graceSeconds + 15) * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kill -9 (tests that prove nothing is lost when a component crashes). */
    public void kill() {
        if (onKill != null) {
            onKill.run();
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
