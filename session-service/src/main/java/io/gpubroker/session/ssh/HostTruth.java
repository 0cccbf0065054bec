package io.gpubroker.session.ssh;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Does the machine match the offer? GPU model (names normalised: "NVIDIA GeForce RTX 4090" is
 * "RTX 4090"), GPU count, VRAM per GPU (within 10 %, nvidia-smi reports a little less than the
 * marketing size) and CUDA (at least what the offer advertised — Vast's cuda_max_good can lie).
 */
public final class HostTruth {
    private HostTruth() {}

    /** Null when the host matches, else a sentence a user can act on. */
    public static String mismatch(
            HostReport r, String offerGpu, int offerCount, Integer offerVramGb, BigDecimal offerCuda) {
        String have = model(r.gpuName());
        String want = model(offerGpu);
        if (want != null && !want.isEmpty() && (have == null || !have.equals(want))) {
            return "host reports GPU '" + r.gpuName() + "' but the offer is '" + offerGpu + "'";
        }
        if (offerCount > 0 && r.gpuCount() != offerCount) {
            return "host reports " + r.gpuCount() + " GPUs but the offer has " + offerCount;
        }
        if (offerVramGb != null && offerVramGb > 0) {
            double gb = r.vramMib() / 1024.0;
            if (gb < offerVramGb * 0.9) {
                return String.format(
                        Locale.ROOT, "host reports %.1f GB VRAM per GPU but the offer has %d GB", gb, offerVramGb);
            }
        }
        if (offerCuda != null && r.cuda() != null && r.cuda() + 1e-9 < offerCuda.doubleValue()) {
            return "host reports CUDA " + r.cuda() + " but the offer advertises "
                    + offerCuda.stripTrailingZeros().toPlainString();
        }
        return null;
    }

    /**
     * The GPU model without vendor, form factor and memory size ("NVIDIA A100-SXM4-80GB" and
     * "A100 80GB" are both "a100"; memory is checked separately against the offer's VRAM).
     */
    static String model(String gpu) {
        String n = normalise(gpu);
        if (n == null) {
            return null;
        }
        return java.util.Arrays.stream(n.split(" "))
                .filter(t -> !t.matches("sxm\\d*|pcie|nvl|nvlink|hbm\\d*e?|\\d+gb|\\d+g"))
                .collect(java.util.stream.Collectors.joining(" "));
    }

    static String normalise(String gpu) {
        if (gpu == null) {
            return null;
        }
        return gpu.toLowerCase(Locale.ROOT)
                .replace("nvidia", "")
                .replace("geforce", "")
                .replace("tesla", "")
                .replace("-", " ")
                .replace("_", " ")
                .replaceAll("\\s+", " ")
                .trim();
    }
}
