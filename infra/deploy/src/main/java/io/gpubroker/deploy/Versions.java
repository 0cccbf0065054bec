package io.gpubroker.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The Kafka, Debezium and image versions of this build (filled by Maven from the parent pom). */
record Versions(String kafka, String debezium, String images) {

    static Versions ofBuild() {
        try (InputStream in = Versions.class.getResourceAsStream("/versions.properties")) {
            Properties p = new Properties();
            p.load(in);
            return new Versions(p.getProperty("kafka"), p.getProperty("debezium"), p.getProperty("images"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
