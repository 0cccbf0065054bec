package io.gpubroker.session.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class HostTruthTests {

    static HostReport host(String name, int count, int vramMib, double cuda) {
        return new HostReport(null, null, name, count, vramMib, "550", cuda, 0);
    }

    @Test
    void driverNamesMatchTheMarketNamesOfTheOffer() {
        assertThat(HostTruth.mismatch(host("NVIDIA A100-SXM4-80GB", 2, 81920, 12.4), "A100 80GB", 2, 80, null))
                .isNull();
        assertThat(HostTruth.mismatch(
                        host("NVIDIA GeForce RTX 4090", 1, 24564, 12.6), "RTX 4090", 1, 24, new BigDecimal("12.4")))
                .isNull();
        assertThat(HostTruth.mismatch(host("NVIDIA H100 80GB HBM3", 8, 81559, 12.6), "H100 80GB", 8, 80, null))
                .isNull();
        assertThat(HostTruth.mismatch(host("NVIDIA RTX A6000", 1, 49140, 12.4), "RTX A6000", 1, 48, null))
                .isNull();
    }

    @Test
    void anotherModelFewerGpusLessMemoryOrOlderCudaIsAMismatch() {
        assertThat(HostTruth.mismatch(host("NVIDIA GeForce RTX 3090", 1, 24576, 12.4), "RTX 4090", 1, 24, null))
                .contains("RTX 3090");
        assertThat(HostTruth.mismatch(host("NVIDIA A100-SXM4-80GB", 1, 81920, 12.4), "A100 80GB", 2, 80, null))
                .contains("1 GPUs");
        assertThat(HostTruth.mismatch(host("NVIDIA A100-PCIE-40GB", 1, 40960, 12.4), "A100 80GB", 1, 80, null))
                .contains("VRAM");
        assertThat(HostTruth.mismatch(
                        host("NVIDIA GeForce RTX 4090", 1, 24564, 11.8), "RTX 4090", 1, 24, new BigDecimal("12.4")))
                .contains("CUDA");
        assertThat(HostTruth.mismatch(host("NVIDIA RTX A6000", 1, 49140, 12.4), "RTX 6000 Ada", 1, 48, null))
                .isNotNull();
    }
}
