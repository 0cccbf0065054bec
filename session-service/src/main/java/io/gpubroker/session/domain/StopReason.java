package io.gpubroker.session.domain;

/**
 * Why a session was ended. Stored as text in {@code stop_reason}: the constant name, except
 * {@link #failed}, which is stored with the error class ({@code "failed: host_mismatch"}) because
 * billing and the API show that text.
 */
public enum StopReason {
    done,
    deleted,
    expired,
    hard_max,
    idle,
    budget_exceeded,
    failed;

    /** The stored text; {@code errorClass} is only used by {@link #failed}. */
    public String recorded(String errorClass) {
        return this == failed ? "failed: " + errorClass : name();
    }

    /** Reads a stored stop reason; null when none was recorded. */
    public static StopReason of(String recorded) {
        if (recorded == null) {
            return null;
        }
        if (recorded.startsWith("failed")) {
            return failed;
        }
        for (StopReason r : values()) {
            if (r.name().equals(recorded)) {
                return r;
            }
        }
        return null;
    }
}
