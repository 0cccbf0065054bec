package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.provider.adapter.GpuNames;
import org.junit.jupiter.api.Test;

class GpuNamesTests {

    @Test
    void everyProvidersNamingMapsToTheBrokerName() {
        assertThat(GpuNames.normalise("RTX 4090", 24)).isEqualTo("RTX 4090");
        assertThat(GpuNames.normalise("geforcertx4090-pcie-24gb", 24)).isEqualTo("RTX 4090");
        assertThat(GpuNames.normalise("NVIDIA GeForce RTX 4090 PCIe 24GB", 24)).isEqualTo("RTX 4090");
        assertThat(GpuNames.normalise("A100 SXM4", 80)).isEqualTo("A100 80GB");
        assertThat(GpuNames.normalise("A100 PCIE", 40)).isEqualTo("A100 40GB");
        assertThat(GpuNames.normalise("A100-SXM4-80GB-NVLink", 80)).isEqualTo("A100 80GB");
        assertThat(GpuNames.normalise("H100 SXM", 80)).isEqualTo("H100 80GB");
        assertThat(GpuNames.normalise("h100-sxm5-80gb", 0)).isEqualTo("H100 80GB");
        assertThat(GpuNames.normalise("RTX 6000Ada", 48)).isEqualTo("RTX 6000 Ada");
        assertThat(GpuNames.normalise("rtxa6000-pcie-48gb", 48)).isEqualTo("RTX A6000");
        assertThat(GpuNames.normalise("RTX-A6000", 48)).isEqualTo("RTX A6000");
        assertThat(GpuNames.normalise("Tesla V100", 32)).isEqualTo("V100 32GB");
        assertThat(GpuNames.normalise("NVIDIA L40S PCIe 48GB", 48)).isEqualTo("L40S");
        assertThat(GpuNames.normalise("l4-pcie-24gb", 24)).isEqualTo("L4");
        assertThat(GpuNames.normalise("H200-141GB", 141)).isEqualTo("H200");
    }

    @Test
    void vramIsTheMarketedSizeNeverOneBelow() {
        assertThat(GpuNames.gbFromMib(24564)).isEqualTo(24);
        assertThat(GpuNames.gbFromMib(23034)).isEqualTo(24);
        assertThat(GpuNames.gbFromMib(46068)).isEqualTo(48);
        assertThat(GpuNames.gbFromMib(81559)).isEqualTo(80);
        assertThat(GpuNames.gbFromMib(143771)).isEqualTo(141);
        assertThat(GpuNames.gbFromMib(32607)).isEqualTo(32);
    }
}
