package io.gpubroker.inventory.catalog;

import io.gpubroker.contracts.NormalisedOffer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/** Helpers on {@link NormalisedOffer}: canonical money, content equality, the text forms filters match on. */
public final class Offers {
    private Offers() {}

    /** 0.45000 (from numeric columns) and 0.45 are the same price; show the short form, never 1E+2. */
    public static BigDecimal money(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /** The offer as the catalog keeps it: canonical price, stamped with the snapshot that last listed it. */
    public static NormalisedOffer canonical(NormalisedOffer o, Instant snapshotFetchedAt) {
        return new NormalisedOffer(
                o.id(),
                o.provider(),
                o.providerId() == null ? o.id() : o.providerId(),
                o.gpuType().trim(),
                o.gpuCount(),
                o.vramGb(),
                money(o.pricePerHour()),
                o.currency(),
                o.location(),
                o.country(),
                o.reliability(),
                o.available(),
                o.availableCount(),
                o.cudaVersion(),
                o.maxDurationHours(),
                o.machineId(),
                o.vcpus(),
                o.ramGb(),
                o.diskGb(),
                snapshotFetchedAt,
                o.provisioning());
    }

    /** Same offer content, ignoring when it was fetched (an unchanged offer is not a change). */
    public static boolean sameContent(NormalisedOffer a, NormalisedOffer b) {
        return a.id().equals(b.id())
                && Objects.equals(a.providerId(), b.providerId())
                && a.gpuType().equals(b.gpuType())
                && a.gpuCount() == b.gpuCount()
                && a.vramGb() == b.vramGb()
                && a.pricePerHour().compareTo(b.pricePerHour()) == 0
                && Objects.equals(a.currency(), b.currency())
                && Objects.equals(a.location(), b.location())
                && Objects.equals(a.country(), b.country())
                && Objects.equals(a.reliability(), b.reliability())
                && a.available() == b.available()
                && Objects.equals(a.availableCount(), b.availableCount())
                && Objects.equals(a.cudaVersion(), b.cudaVersion())
                && Objects.equals(a.maxDurationHours(), b.maxDurationHours())
                && Objects.equals(a.machineId(), b.machineId())
                && Objects.equals(a.vcpus(), b.vcpus())
                && Objects.equals(a.ramGb(), b.ramGb())
                && Objects.equals(a.diskGb(), b.diskGb())
                && Objects.equals(a.provisioning(), b.provisioning());
    }

    /** Lower case, single spaces: "RTX  4090" and "rtx 4090" are one GPU type. */
    public static String norm(String s) {
        return s == null ? "" : s.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /**
     * Whether normalised GPU type {@code type} matches the query {@code q} as whole words:
     * "a100" matches "a100 80gb" and "a100 40gb", "rtx 4090" matches "rtx 4090" but "409" matches nothing.
     */
    public static boolean gpuTypeMatches(String type, String q) {
        return (" " + type + " ").contains(" " + q + " ");
    }
}
