package io.gpubroker.session.ssh;

/**
 * What a verification found on the machine: whether SSH worked, and what the host says about its
 * GPUs ({@code nvidia-smi}). {@code failure} is null when SSH and the commands succeeded.
 */
public record HostReport(Failure failure, String detail, String gpuName, int gpuCount, int vramMib,
                         String driver, Double cuda, Integer gpuUtilPct) {

    /** Why SSH verification did not complete. */
    public enum Failure { UNREACHABLE, AUTH_REJECTED, COMMAND_FAILED }

    public boolean ok() {
        return failure == null;
    }

    public static HostReport failed(Failure f, String detail) {
        return new HostReport(f, detail, null, 0, 0, null, null, null);
    }
}
