package io.gpubroker.session.domain;

/** The public session states of the broker API. */
public enum SessionStatus {
    pending,
    provisioning,
    running,
    stopping,
    stopped,
    failed;

    public boolean live() {
        return this == pending || this == provisioning || this == running;
    }
}
