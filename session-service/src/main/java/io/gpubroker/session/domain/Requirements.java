package io.gpubroker.session.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.kit.rest.ApiException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a session asks for instead of an offer: the inventory search filters (singles and lists)
 * plus whether interruptible offers may be used. Stored with the session: every failover searches
 * with it again.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Requirements(
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("gpu_types") List<String> gpuTypes,
        @JsonProperty("min_gpu_count") Integer minGpuCount,
        @JsonProperty("min_vram") Integer minVram,
        @JsonProperty("max_price") BigDecimal maxPrice,
        @JsonProperty("min_reliability") Double minReliability,
        @JsonProperty("min_availability_confidence") Double minAvailabilityConfidence,
        @JsonProperty("min_cuda") Double minCuda,
        @JsonProperty("location") String location,
        @JsonProperty("locations") List<String> locations,
        @JsonProperty("provider") String provider,
        @JsonProperty("providers") List<String> providers,
        @JsonProperty("exclude_providers") List<String> excludeProviders,
        @JsonProperty("allow_interruptible") Boolean allowInterruptible) {

    private static final Pattern TEXT = Pattern.compile("[A-Za-z0-9 ._/:()+-]{1,100}");
    private static final int MAX_LIST = 10;

    /** Field checks; each message names the field as {@code requirements.<field>}. */
    public static void validate(Requirements r, Set<String> knownProviders) {
        text(r.gpuType, "gpu_type");
        list(r.gpuTypes, "gpu_types");
        text(r.location, "location");
        list(r.locations, "locations");
        provider(r.provider, "provider", knownProviders);
        if (r.providers != null) {
            list(r.providers, "providers");
            r.providers.forEach(p -> provider(p, "providers", knownProviders));
        }
        if (r.excludeProviders != null) {
            list(r.excludeProviders, "exclude_providers");
            r.excludeProviders.forEach(p -> provider(p, "exclude_providers", knownProviders));
        }
        range(r.minGpuCount, "min_gpu_count", 1, 1024);
        range(r.minVram, "min_vram", 0, 100_000);
        if (r.maxPrice != null
                && (r.maxPrice.signum() <= 0 || r.maxPrice.compareTo(BigDecimal.valueOf(1_000_000)) > 0)) {
            throw bad("max_price must be above 0 and at most 1000000 (USD per hour for the whole offer)");
        }
        range(r.minReliability, "min_reliability", 0, 1);
        range(r.minAvailabilityConfidence, "min_availability_confidence", 0, 1);
        range(r.minCuda, "min_cuda", 0, 100);
        if (r.providersAllowed().isEmpty() && (r.provider != null || r.providers != null)) {
            throw bad("providers: every provider asked for is also excluded");
        }
        if (r.provider != null && r.providers != null && !r.providers.contains(r.provider)) {
            throw bad("provider '" + r.provider + "' is not among providers " + r.providers);
        }
    }

    /** The GPU types to search for; empty: any. */
    public List<String> gpuTypesWanted() {
        return union(gpuType, gpuTypes);
    }

    /** The providers to search; empty: any not excluded. */
    public List<String> providersAllowed() {
        List<String> wanted = provider != null ? List.of(provider) : union(null, providers);
        if (wanted.isEmpty() || excludeProviders == null) {
            return wanted;
        }
        return wanted.stream().filter(p -> !excludeProviders.contains(p)).toList();
    }

    /** Whether the provider may be used at all (allowed, and not excluded). */
    public boolean providerOk(String p) {
        if (excludeProviders != null && excludeProviders.contains(p)) {
            return false;
        }
        List<String> allowed = providersAllowed();
        return allowed.isEmpty() && provider == null && providers == null || allowed.contains(p);
    }

    /** The locations asked for, lower-cased; empty: anywhere. */
    public List<String> locationsWanted() {
        return union(location, locations).stream()
                .map(l -> l.toLowerCase(Locale.ROOT))
                .toList();
    }

    private static List<String> union(String one, List<String> many) {
        Set<String> all = new LinkedHashSet<>();
        if (one != null) {
            all.add(one);
        }
        if (many != null) {
            all.addAll(many);
        }
        return new ArrayList<>(all);
    }

    private static void text(String v, String field) {
        if (v != null && !TEXT.matcher(v).matches()) {
            throw bad(field + " must be 1-100 letters, digits, spaces or . _ / : ( ) + -");
        }
    }

    private static void list(List<String> v, String field) {
        if (v == null) {
            return;
        }
        if (v.isEmpty() || v.size() > MAX_LIST) {
            throw bad(field + " must list 1-" + MAX_LIST + " values");
        }
        for (String s : v) {
            if (s == null) {
                throw bad(field + " must not contain null");
            }
            text(s, field);
        }
    }

    private static void provider(String p, String field, Set<String> known) {
        if (p != null && !known.contains(p)) {
            throw bad(field + ": unknown provider '" + p + "'; known: "
                    + String.join(", ", new java.util.TreeSet<>(known)));
        }
    }

    private static void range(Number v, String field, double min, double max) {
        if (v != null && (v.doubleValue() < min || v.doubleValue() > max)) {
            throw bad(field + " must be between " + fmt(min) + " and " + fmt(max));
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static ApiException bad(String message) {
        return ApiException.badRequest("requirements." + message);
    }
}
