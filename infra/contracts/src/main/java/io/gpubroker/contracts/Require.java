package io.gpubroker.contracts;

import java.math.BigDecimal;

/** Field checks for event records: a violation makes the message malformed (dead-lettered). */
public final class Require {
    private Require() {}

    public static void text(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new MalformedEventException(field + " is required");
        }
    }

    public static void present(Object v, String field) {
        if (v == null) {
            throw new MalformedEventException(field + " is required");
        }
    }

    public static void nonNegative(BigDecimal v, String field) {
        present(v, field);
        if (v.signum() < 0) {
            throw new MalformedEventException(field + " must not be negative");
        }
    }
}
