package io.gpubroker.session.ssh;

/**
 * What a verification found on the machine: whether SSH worked, and what the host says about its
 * GPUs ({@code nvidia-smi}). {@code failure} is null when SSH and the commands succeeded;
 * {@code hostKey} is the host key's fingerprint ({@code SHA256:...}) once the broker's key was
 * accepted on a connection to it (what a first verification pins), else null.
 */
public record HostReport(
        Failure failure,
        String detail,
        String gpuName,
        int gpuCount,
        int vramMib,
        String driver,
        Double cuda,
        Integer gpuUtilPct,
        String hostKey) {

    /** Why SSH verification did not complete. */
    public enum Failure {
        UNREACHABLE,
        AUTH_REJECTED,
        COMMAND_FAILED,
        HOST_KEY_MISMATCH
    }

    public HostReport(
            Failure failure,
            String detail,
            String gpuName,
            int gpuCount,
            int vramMib,
            String driver,
            Double cuda,
            Integer gpuUtilPct) {
        this(failure, detail, gpuName, gpuCount, vramMib, driver, cuda, gpuUtilPct, null);
    }

    public boolean ok() {
        return failure == null;
    }

    public HostReport withHostKey(String fingerprint) {
        return new HostReport(failure, detail, gpuName, gpuCount, vramMib, driver, cuda, gpuUtilPct, fingerprint);
    }

    public static HostReport failed(Failure f, String detail) {
        return new HostReport(f, detail, null, 0, 0, null, null, null);
    }
}
