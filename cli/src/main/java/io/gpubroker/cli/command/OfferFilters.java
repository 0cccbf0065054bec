package io.gpubroker.cli.command;

import java.math.BigDecimal;
import java.util.Map;
import picocli.CommandLine.Option;

/** The offer filters shared by {@code gpu offers} and {@code gpu up}, as the API's query parameters. */
public final class OfferFilters {
    @Option(names = "--provider", description = "vastai, tensordock, rackrr, barrack or trooper")
    String provider;

    @Option(names = "--gpu", paramLabel = "TYPE", description = "GPU type, e.g. 'RTX 4090', A100")
    String gpu;

    @Option(names = "--count", paramLabel = "N", description = "at least N GPUs")
    Integer count;

    @Option(names = "--min-vram", paramLabel = "GB", description = "at least GB of VRAM per GPU")
    Integer minVram;

    @Option(names = "--max-price", paramLabel = "USD", description = "at most USD per hour (whole offer)")
    BigDecimal maxPrice;

    @Option(names = "--location", description = "location, e.g. US-West")
    String location;

    @Option(names = "--min-reliability", paramLabel = "0..1")
    Double minReliability;

    @Option(names = "--min-confidence", paramLabel = "0..1", description = "minimum availability confidence")
    Double minConfidence;

    @Option(names = "--min-cuda", paramLabel = "VERSION", description = "minimum CUDA version (Vast.ai)")
    Double minCuda;

    /** Adds the given filters to {@code q} under the API's names. */
    void addTo(Map<String, Object> q) {
        q.put("provider", provider);
        q.put("gpu_type", gpu);
        q.put("min_gpu_count", count);
        q.put("min_vram", minVram);
        q.put("max_price", maxPrice == null ? null : maxPrice.toPlainString());
        q.put("location", location);
        q.put("min_reliability", minReliability);
        q.put("min_availability_confidence", minConfidence);
        q.put("min_cuda", minCuda);
    }

    boolean any() {
        return provider != null
                || gpu != null
                || count != null
                || minVram != null
                || maxPrice != null
                || location != null
                || minReliability != null
                || minConfidence != null
                || minCuda != null;
    }
}
