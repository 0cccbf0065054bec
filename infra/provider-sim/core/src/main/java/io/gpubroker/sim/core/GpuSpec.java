package io.gpubroker.sim.core;

/**
 * What the machine itself reports over SSH ({@code nvidia-smi}): may differ from the offer when a
 * host lies (the gpu_mismatch fault).
 */
public record GpuSpec(String name, int count, int vramMib, String driverVersion, String cudaVersion) {

    /** The name the driver reports: consumer cards carry "GeForce" ("NVIDIA GeForce RTX 4090"). */
    public static String driverName(String model) {
        return model.matches("RTX [345]0[0-9]0.*") ? "NVIDIA GeForce " + model : "NVIDIA " + model;
    }

    public GpuSpec withName(String newName) {
        return new GpuSpec(newName, count, vramMib, driverVersion, cudaVersion);
    }

    public GpuSpec withCuda(String newCuda) {
        return new GpuSpec(name, count, vramMib, driverVersion, newCuda);
    }
}
