package io.gpubroker.session.effects;

/** Output shown in a failure reason: the end of it, where the error usually is. */
final class Texts {
    private Texts() {}

    static String tail(String text) {
        String t = text.strip();
        return t.length() <= 300 ? t : "…" + t.substring(t.length() - 300);
    }
}
