package io.gpubroker.provider.adapter;

import java.time.Instant;

/**
 * A provider instance as the broker sees it: native state, its broker meaning and SSH access once
 * known. {@code sshHostKey} is the fingerprint of the host key the gateway saw or pinned when it
 * connected to the instance itself (Trooper), else null.
 */
public record InstanceView(
        String instanceId,
        String tag,
        String providerState,
        BrokerState brokerState,
        String sshHost,
        Integer sshPort,
        String sshUser,
        String apiEndpoint,
        Instant createdAt,
        String sshHostKey) {

    /** A view of an instance the gateway did not connect to (no host key). */
    public InstanceView(
            String instanceId,
            String tag,
            String providerState,
            BrokerState brokerState,
            String sshHost,
            Integer sshPort,
            String sshUser,
            String apiEndpoint,
            Instant createdAt) {
        this(instanceId, tag, providerState, brokerState, sshHost, sshPort, sshUser, apiEndpoint, createdAt, null);
    }

    public static InstanceView gone(String instanceId) {
        return new InstanceView(instanceId, null, "gone", BrokerState.GONE, null, null, null, null, null);
    }

    public InstanceView withState(BrokerState s) {
        return new InstanceView(
                instanceId, tag, providerState, s, sshHost, sshPort, sshUser, apiEndpoint, createdAt, sshHostKey);
    }

    public InstanceView withHostKey(String fingerprint) {
        return new InstanceView(
                instanceId,
                tag,
                providerState,
                brokerState,
                sshHost,
                sshPort,
                sshUser,
                apiEndpoint,
                createdAt,
                fingerprint);
    }
}
