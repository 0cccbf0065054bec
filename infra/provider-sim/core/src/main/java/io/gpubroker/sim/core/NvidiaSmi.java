package io.gpubroker.sim.core;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Renders {@code nvidia-smi} output (the table and {@code --query-gpu} CSV) for a {@link GpuSpec}. */
final class NvidiaSmi {

    private NvidiaSmi() {}

    static String table(GpuSpec g, int utilPct, String host) {
        StringBuilder sb = new StringBuilder();
        sb.append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT)))
                .append('\n');
        sb.append("+-----------------------------------------------------------------------------------------+\n");
        sb.append(String.format(
                "| NVIDIA-SMI %-16s Driver Version: %-16s CUDA Version: %-9s|%n",
                g.driverVersion(), g.driverVersion(), g.cudaVersion()));
        sb.append("|-----------------------------------------+------------------------+----------------------+\n");
        sb.append("| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |\n");
        sb.append("| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |\n");
        sb.append("|=========================================+========================+======================|\n");
        for (int i = 0; i < g.count(); i++) {
            int used = utilPct > 0 ? g.vramMib() * utilPct / 100 : 1;
            sb.append(String.format(
                    "|   %d  %-31s On | 00000000:%02X:00.0 Off |                  Off |%n",
                    i, GpuSpec.driverName(g.name()), i + 1));
            sb.append(String.format(
                    "| 30%%   35C    P8             20W /  450W | %6dMiB / %6dMiB | %6d%%      Default |%n",
                    used, g.vramMib(), utilPct));
            sb.append("+-----------------------------------------+------------------------+----------------------+\n");
        }
        return sb.toString();
    }

    static int csv(
            GpuSpec g, int utilPct, String[] fields, boolean header, boolean units, String host, StringBuilder out) {
        if (header) {
            StringBuilder h = new StringBuilder();
            for (String f : fields) {
                if (h.length() > 0) {
                    h.append(", ");
                }
                h.append(f.trim()).append(units ? unit(f.trim()) : "");
            }
            out.append(h).append('\n');
        }
        for (int i = 0; i < g.count(); i++) {
            StringBuilder row = new StringBuilder();
            for (String raw : fields) {
                String f = raw.trim();
                String v = switch (f) {
                    case "name", "gpu_name" -> GpuSpec.driverName(g.name());
                    case "count" -> String.valueOf(g.count());
                    case "index" -> String.valueOf(i);
                    case "memory.total" -> g.vramMib() + (units ? " MiB" : "");
                    case "memory.used" -> (utilPct > 0 ? g.vramMib() * utilPct / 100 : 1) + (units ? " MiB" : "");
                    case "memory.free" ->
                        (g.vramMib() - (utilPct > 0 ? g.vramMib() * utilPct / 100 : 1)) + (units ? " MiB" : "");
                    case "driver_version" -> g.driverVersion();
                    case "cuda_version" -> g.cudaVersion();
                    case "utilization.gpu" -> utilPct + (units ? " %" : "");
                    case "uuid", "gpu_uuid" -> "GPU-" + String.format("%08x", (host + i).hashCode());
                    case "pci.bus_id" -> String.format("00000000:%02X:00.0", i + 1);
                    default -> null;
                };
                if (v == null) {
                    out.setLength(0);
                    out.append("Field \"").append(f).append("\" is not a valid field to query.\n");
                    return 2;
                }
                if (row.length() > 0) {
                    row.append(", ");
                }
                row.append(v);
            }
            out.append(row).append('\n');
        }
        return 0;
    }

    private static String unit(String f) {
        return switch (f) {
            case "memory.total", "memory.used", "memory.free" -> " [MiB]";
            case "utilization.gpu" -> " [%]";
            default -> "";
        };
    }
}
