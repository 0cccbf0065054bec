package io.gpubroker.contracts;

import java.util.Map;

/** Event types on provisioning.requests / provisioning.replies / instance.inventory (provider-gateway and session-service). */
final class ProvisioningContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.ofEntries(
            Map.entry(
                    "ProvisionInstance",
                    new EventCatalog.Entry(ProvisionInstance.class, Topics.PROVISIONING_REQUESTS, 1)),
            Map.entry(
                    "TerminateInstance",
                    new EventCatalog.Entry(TerminateInstance.class, Topics.PROVISIONING_REQUESTS, 1)),
            Map.entry(
                    "DescribeInstance",
                    new EventCatalog.Entry(DescribeInstance.class, Topics.PROVISIONING_REQUESTS, 1)),
            Map.entry(
                    "InstanceProvisioned",
                    new EventCatalog.Entry(InstanceProvisioned.class, Topics.PROVISIONING_REPLIES, 1)),
            Map.entry("ProvisionFailed", new EventCatalog.Entry(ProvisionFailed.class, Topics.PROVISIONING_REPLIES, 1)),
            Map.entry("InstanceStatus", new EventCatalog.Entry(InstanceStatus.class, Topics.PROVISIONING_REPLIES, 1)),
            Map.entry(
                    "InstanceTerminated",
                    new EventCatalog.Entry(InstanceTerminated.class, Topics.PROVISIONING_REPLIES, 1)),
            Map.entry("TerminateFailed", new EventCatalog.Entry(TerminateFailed.class, Topics.PROVISIONING_REPLIES, 1)),
            Map.entry("InstanceListing", new EventCatalog.Entry(InstanceListing.class, Topics.INSTANCE_INVENTORY, 1)),
            Map.entry(
                    "InstanceListingFailed",
                    new EventCatalog.Entry(InstanceListingFailed.class, Topics.INSTANCE_INVENTORY, 1)));

    private ProvisioningContracts() {}
}
