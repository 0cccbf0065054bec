package io.gpubroker.sim.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * Simulator settings: {@code provider-sim.properties} on the classpath, then an optional file
 * named by {@code sim.config}, then {@code -Dsim.*} system properties. GUESSED provider details
 * (paths, status names, error bodies) are read from here so they can be corrected without code.
 */
public final class SimConfig {
    private final Properties props = new Properties();

    public SimConfig() {
        try (InputStream in = SimConfig.class.getResourceAsStream("/provider-sim.properties")) {
            if (in != null) {
                props.load(in);
            }
            String file = System.getProperty("sim.config");
            if (file != null) {
                try (InputStream f = Files.newInputStream(Path.of(file))) {
                    props.load(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("sim.")) {
                props.put(k.toString().substring(4), v);
            }
        });
    }

    public SimConfig set(String key, String value) {
        props.setProperty(key, value);
        return this;
    }

    /** Drops a key (back to the built-in default of whoever reads it). */
    public SimConfig remove(String key) {
        props.remove(key);
        return this;
    }

    /** Every setting, sorted by key (the control API's {@code GET /_sim/config}). */
    public java.util.SortedMap<String, String> asMap() {
        java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
        props.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    public String get(String key, String def) {
        return props.getProperty(key, def);
    }

    public int getInt(String key, int def) {
        String v = props.getProperty(key);
        return v == null ? def : Integer.parseInt(v.trim());
    }

    public double getDouble(String key, double def) {
        String v = props.getProperty(key);
        return v == null ? def : Double.parseDouble(v.trim());
    }

    public boolean getBool(String key, boolean def) {
        String v = props.getProperty(key);
        return v == null ? def : Boolean.parseBoolean(v.trim());
    }

    /** A simulated duration: ISO-8601 ({@code PT20S}) or plain seconds ({@code 20}, {@code 0.5}). */
    public Duration getDuration(String key, Duration def) {
        String v = props.getProperty(key);
        if (v == null) {
            return def;
        }
        v = v.trim();
        return v.startsWith("P") ? Duration.parse(v) : Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
    }
}
