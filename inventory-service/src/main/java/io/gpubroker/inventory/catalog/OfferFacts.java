package io.gpubroker.inventory.catalog;

/** The offer fields a Vast template's {@code extra_filters} can constrain; NaN / null = unknown. */
public record OfferFacts(
        String provider,
        String gpuType,
        int gpuCount,
        int vramGb,
        double pricePerHour,
        double reliability,
        double cudaVersion,
        Integer diskGb,
        Integer ramGb,
        Integer vcpus,
        String location,
        String country) {}
