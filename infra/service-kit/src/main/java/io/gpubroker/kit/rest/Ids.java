package io.gpubroker.kit.rest;

import java.util.regex.Pattern;

/**
 * Checks for the text a caller puts in a path or query: ids the broker mints (sessions, consumers,
 * keys) must fit one plain charset, and no parameter may carry control characters (PostgreSQL
 * refuses NUL in text, logs must not be forged with newlines). Failures are 400s naming the parameter.
 */
public final class Ids {
    /** Letters, digits and {@code . _ : @ -}: every id the broker mints fits, nothing that needs escaping does. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    public static final int MAX_PARAM = 1024;

    private Ids() {}

    /** The id, or a 400 naming {@code name}; null passes (an absent optional parameter). */
    public static String require(String value, String name) {
        if (value == null) {
            return null;
        }
        if (!ID.matcher(value).matches()) {
            throw ApiException.badRequest("invalid '" + name + "': 1-128 characters of letters, digits and . _ : @ -");
        }
        return value;
    }

    /** Free text in a parameter (a GPU name, a location): at most {@code max} characters, no control characters. */
    public static String text(String value, String name, int max) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw ApiException.badRequest("invalid '" + name + "': longer than " + max + " characters");
        }
        if (hasControl(value)) {
            throw ApiException.badRequest("invalid '" + name + "': control characters are not allowed");
        }
        return value;
    }

    /** C0 controls, DEL and C1 controls; also lone surrogates, which no encoder can write back. */
    public static boolean hasControl(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return true;
            }
            if (Character.isSurrogate(c)) {
                boolean paired =
                        Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    return true;
                }
                i++;
            }
        }
        return false;
    }
}
