package io.gpubroker.provider.adapter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/** Small helpers adapters share to build offers. */
public final class Offers {
    private Offers() {}

    public static BigDecimal usd(double v) {
        return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_UP);
    }

    /** A mutable map that skips null values (the provisioning map carries strings only). */
    public static Map<String, String> provisioning(Object... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(String.valueOf(kv[i]), String.valueOf(kv[i + 1]));
            }
        }
        return m;
    }

    public static Double cuda(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static int even(int v) {
        return v % 2 == 0 ? v : v + 1;
    }
}
