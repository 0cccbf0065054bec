package io.gpubroker.contracts;

import java.util.Map;

/** Event types on provisioning.requests / provisioning.replies / instance.inventory (provider-gateway and session-service). */
final class ProvisioningContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of();

    private ProvisioningContracts() {
    }
}
