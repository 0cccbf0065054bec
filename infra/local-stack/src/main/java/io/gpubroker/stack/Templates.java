package io.gpubroker.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Fills {@code {{key}}} placeholders of the configuration files kept in {@code infra/connect}. */
final class Templates {
    private Templates() {}

    static String fill(Path template, Map<String, String> values) {
        try {
            String s = Files.readString(template);
            for (var e : values.entrySet()) {
                s = s.replace("{{" + e.getKey() + "}}", e.getValue());
            }
            if (s.contains("{{")) {
                throw new IllegalStateException("unfilled placeholder in " + template + ": "
                        + s.substring(s.indexOf("{{"), Math.min(s.length(), s.indexOf("{{") + 40)));
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
