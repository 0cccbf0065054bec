package io.gpubroker.provider.adapter;

import java.time.Instant;

/** A provider instance as the broker sees it: native state, its broker meaning and SSH access once known. */
public record InstanceView(String instanceId, String tag, String providerState, BrokerState brokerState,
                           String sshHost, Integer sshPort, String sshUser, String apiEndpoint, Instant createdAt) {

    public static InstanceView gone(String instanceId) {
        return new InstanceView(instanceId, null, "gone", BrokerState.GONE, null, null, null, null, null);
    }

    public InstanceView withState(BrokerState s) {
        return new InstanceView(instanceId, tag, providerState, s, sshHost, sshPort, sshUser, apiEndpoint, createdAt);
    }
}
