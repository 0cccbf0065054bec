package io.gpubroker.cli.api;

/** The broker did not answer at all (connection refused, timeout): no status, no request id. */
public final class BrokerUnreachable extends RuntimeException {
    public BrokerUnreachable(String url, Throwable cause) {
        super("cannot reach the broker at " + url + " (" + describe(cause)
                + "); is it running? (./broker up), or point gpu at it with --url / GPU_BROKER_URL");
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
