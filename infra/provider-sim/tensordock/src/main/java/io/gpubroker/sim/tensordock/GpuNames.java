package io.gpubroker.sim.tensordock;

import io.gpubroker.sim.core.GpuCatalog;
import java.util.Map;

/** TensorDock's names for the shared catalog's GPU models: the {@code v0Name} slug and display name. */
final class GpuNames {

    record Name(String v0Name, String displayName) {}

    private static final Map<String, Name> BY_MODEL = Map.ofEntries(
            Map.entry("RTX 3090", new Name("geforcertx3090-pcie-24gb", "NVIDIA GeForce RTX 3090 PCIe 24GB")),
            Map.entry("RTX 4090", new Name("geforcertx4090-pcie-24gb", "NVIDIA GeForce RTX 4090 PCIe 24GB")),
            Map.entry("RTX 5090", new Name("geforcertx5090-pcie-32gb", "NVIDIA GeForce RTX 5090 PCIe 32GB")),
            Map.entry("RTX A6000", new Name("rtxa6000-pcie-48gb", "NVIDIA RTX A6000 PCIe 48GB")),
            Map.entry("RTX 6000 Ada", new Name("rtx6000ada-pcie-48gb", "NVIDIA RTX 6000 Ada PCIe 48GB")),
            Map.entry("L4", new Name("l4-pcie-24gb", "NVIDIA L4 PCIe 24GB")),
            Map.entry("A10", new Name("a10-pcie-24gb", "NVIDIA A10 PCIe 24GB")),
            Map.entry("L40S", new Name("l40s-pcie-48gb", "NVIDIA L40S PCIe 48GB")),
            Map.entry("A40", new Name("a40-pcie-48gb", "NVIDIA A40 PCIe 48GB")),
            Map.entry("A100 40GB", new Name("a100-pcie-40gb", "NVIDIA A100 PCIe 40GB")),
            Map.entry("A100 80GB", new Name("a100-sxm4-80gb", "NVIDIA A100 SXM4 80GB")),
            Map.entry("H100 80GB", new Name("h100-sxm5-80gb", "NVIDIA H100 SXM5 80GB")),
            Map.entry("H200", new Name("h200-sxm5-141gb", "NVIDIA H200 SXM5 141GB")),
            Map.entry("V100 32GB", new Name("v100-sxm2-32gb", "NVIDIA Tesla V100 SXM2 32GB")));

    private GpuNames() {}

    static Name of(GpuCatalog.Model model) {
        Name n = BY_MODEL.get(model.name());
        if (n == null) {
            throw new IllegalStateException("no TensorDock name for catalog model " + model.name());
        }
        return n;
    }
}
