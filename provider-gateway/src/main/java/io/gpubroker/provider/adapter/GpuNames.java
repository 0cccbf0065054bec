package io.gpubroker.provider.adapter;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalises every provider's GPU naming to the broker's ("RTX 4090", "RTX A6000", "RTX 6000 Ada",
 * "A100 80GB", "H100 80GB", "L40S"), and VRAM to whole marketed gigabytes: nvidia-smi's 24564 MiB
 * or an L4's 23034 MiB are 24 GB cards, never 23 or 22.
 */
public final class GpuNames {
    private static final int[] MARKETED_GB = {
        4, 6, 8, 10, 11, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 128, 141, 180, 192, 262, 288
    };
    private static final Pattern RTX_ADA = Pattern.compile("rtx\\s*(\\d{4})\\s*ada");
    private static final Pattern RTX_A = Pattern.compile("rtx\\s*a(\\d{4})");
    private static final Pattern RTX = Pattern.compile("rtx\\s*(\\d{4})(\\s*ti)?");
    private static final Pattern GTX = Pattern.compile("gtx\\s*(\\d{4})(\\s*ti)?");
    /** Families sold with several memory sizes: the size is part of the name. */
    private static final Pattern SIZED = Pattern.compile("\\b([abhv]100)\\b");

    private static final Pattern PLAIN =
            Pattern.compile("\\b(gh200|h200|b200|b300|l40s|l40|l4|a10g|a10|a16|a30|a40|a2|t4|mi300x|mi250)\\b");
    private static final Pattern GB_IN_NAME = Pattern.compile("(\\d{2,3})\\s*gb");

    private GpuNames() {}

    /** The broker name of {@code raw} ({@code vramGb} per GPU, 0 if unknown, decides A100 40GB vs 80GB). */
    public static String normalise(String raw, int vramGb) {
        if (raw == null || raw.isBlank()) {
            return "Unknown";
        }
        String s = " "
                + raw.toLowerCase(Locale.ROOT)
                        .replace('-', ' ')
                        .replace('_', ' ')
                        .replace("nvidia", " ")
                        .replace("geforce", " ")
                        .replace("tesla", " ")
                + " ";
        Matcher m = RTX_ADA.matcher(s);
        if (m.find()) {
            return "RTX " + m.group(1) + " Ada";
        }
        m = RTX_A.matcher(s);
        if (m.find()) {
            return "RTX A" + m.group(1);
        }
        m = RTX.matcher(s);
        if (m.find()) {
            return "RTX " + m.group(1) + (m.group(2) != null ? " Ti" : "");
        }
        m = GTX.matcher(s);
        if (m.find()) {
            return "GTX " + m.group(1) + (m.group(2) != null ? " Ti" : "");
        }
        m = SIZED.matcher(s);
        if (m.find()) {
            int gb = vramGb > 0 ? vramGb : gbInName(s);
            return m.group(1).toUpperCase(Locale.ROOT) + (gb > 0 ? " " + gb + "GB" : "");
        }
        m = PLAIN.matcher(s);
        if (m.find()) {
            return m.group(1).toUpperCase(Locale.ROOT);
        }
        return raw.trim();
    }

    /** VRAM written in the name ("...-80gb", "PCIe 24GB"), or 0. */
    public static int gbInName(String raw) {
        Matcher m = GB_IN_NAME.matcher(raw.toLowerCase(Locale.ROOT));
        int last = 0;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    /** MiB as reported by nvidia-smi / Vast to the nearest marketed size in GB. */
    public static int gbFromMib(double mib) {
        return nearestMarketed(mib / 1024.0);
    }

    public static int nearestMarketed(double gb) {
        if (gb <= 0) {
            return 0;
        }
        int best = (int) Math.round(gb);
        double bestDist = Double.MAX_VALUE;
        for (int m : MARKETED_GB) {
            double d = Math.abs(m - gb);
            // only snap when within 10 %: an unusual size stays what it is
            if (d < bestDist && d <= m * 0.1) {
                best = m;
                bestDist = d;
            }
        }
        return best;
    }
}
