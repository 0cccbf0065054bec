package io.gpubroker.sim.tensordock;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * TensorDock v2 wire shapes, field for field as the API document and the spec show them
 * (note the provider's own mixed casing: {@code v0Name}, {@code availableCount} next to
 * {@code price_per_hr}; {@code ipAddress}/{@code portForwards} next to {@code internal_port}).
 */
final class TdJson {

    private TdJson() {}

    // ---- GET /locations

    record LocationsBody(LocationsData data) {}

    record LocationsData(List<LocationOut> locations) {}

    record LocationOut(
            String id, String city, String stateprovince, String country, int tier, List<LocationGpu> gpus) {}

    record LocationGpu(
            String v0Name,
            String displayName,
            @JsonProperty("max_count") int maxCount,
            @JsonProperty("price_per_hr") double pricePerHr,
            LocationResources resources,
            Pricing pricing,
            @JsonProperty("network_features") NetworkFeatures networkFeatures) {}

    record LocationResources(
            @JsonProperty("max_vcpus") int maxVcpus,
            @JsonProperty("max_ram_gb") int maxRamGb,
            @JsonProperty("max_storage_gb") int maxStorageGb) {}

    record Pricing(
            @JsonProperty("per_vcpu_hr") double perVcpuHr,
            @JsonProperty("per_gb_ram_hr") double perGbRamHr,
            @JsonProperty("per_gb_storage_hr") double perGbStorageHr) {}

    record NetworkFeatures(
            @JsonProperty("dedicated_ip_available") boolean dedicatedIpAvailable,
            @JsonProperty("port_forwarding_available") boolean portForwardingAvailable,
            @JsonProperty("network_storage_available") boolean networkStorageAvailable) {}

    // ---- GET /hostnodes, /hostnodes/{uuid}

    record HostnodesBody(HostnodesData data) {}

    record HostnodesData(List<HostnodeOut> hostnodes) {}

    record HostnodeBody(HostnodeOut data) {}

    record HostnodeOut(
            String id,
            @JsonProperty("location_id") String locationId,
            String engine,
            @JsonProperty("uptime_percentage") double uptimePercentage,
            @JsonProperty("available_resources") AvailableResources availableResources,
            Pricing pricing,
            HostnodeLocation location) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AvailableResources(
            List<HostnodeGpu> gpus,
            @JsonProperty("vcpu_count") int vcpuCount,
            @JsonProperty("ram_gb") int ramGb,
            @JsonProperty("storage_gb") int storageGb,
            @JsonProperty("available_ports") List<Integer> availablePorts) {}

    record HostnodeGpu(
            String v0Name,
            int availableCount,
            @JsonProperty("price_per_hr") double pricePerHr) {}

    record HostnodeLocation(
            String uuid,
            String city,
            String stateprovince,
            String country,
            @JsonProperty("has_network_storage") boolean hasNetworkStorage,
            @JsonProperty("network_speed_gbps") int networkSpeedGbps,
            @JsonProperty("network_speed_upload_gbps") int networkSpeedUploadGbps,
            String organization,
            String organizationName,
            int tier) {}

    // ---- instances

    record CreatedBody(Created data) {}

    record Created(String type, String id, String name, String status) {}

    record PortForward(
            @JsonProperty("internal_port") int internalPort,
            @JsonProperty("external_port") int externalPort) {}

    record Resources(
            @JsonProperty("vcpu_count") int vcpuCount,
            @JsonProperty("ram_gb") int ramGb,
            @JsonProperty("storage_gb") int storageGb,
            java.util.Map<String, GpuCount> gpus) {}

    record GpuCount(int count) {}

    /** {@code GET /instances/{id}}: flat, as documented and observed. */
    record InstanceFlat(
            String type,
            String id,
            String name,
            String status,
            String ipAddress,
            List<PortForward> portForwards,
            double rateHourly,
            @JsonProperty("location_id") String locationId,
            @JsonProperty("hostnode_id") String hostnodeId,
            String image,
            boolean useDedicatedIp,
            Resources resources,
            @JsonProperty("created_at") String createdAt) {}

    /** The {@code {"data": {"id", "attributes"}}} variant some clients handle. */
    record InstanceEnvelope(InstanceData data) {}

    record InstanceData(String type, String id, InstanceAttributes attributes) {}

    record InstanceAttributes(
            String name, String status, String ipAddress, List<PortForward> portForwards, Double rateHourly) {}

    /** Documented list: {@code {"data": {"instances": [{type, id, attributes}]}}}. */
    record ListDocumented(ListData data) {}

    record ListData(List<InstanceData> instances) {}

    /** Observed list variant: {@code {"data": [ {flat instance} ]}} (field list GUESSED from cloud-gpu-shopper). */
    record ListFlat(List<ListFlatItem> data) {}

    record ListFlatItem(
            String type,
            String id,
            String name,
            String status,
            String ipAddress,
            List<PortForward> portForwards,
            @JsonProperty("gpu_model") String gpuModel,
            @JsonProperty("gpu_count") int gpuCount,
            int vcpus,
            @JsonProperty("ram_gb") int ramGb,
            @JsonProperty("storage_gb") int storageGb,
            @JsonProperty("price_per_hour") double pricePerHour,
            @JsonProperty("created_at") String createdAt,
            @JsonProperty("location_id") String locationId) {}

    record ActionBody(ActionData data) {}

    record ActionData(String type, String id, ActionAttributes attributes) {}

    record ActionAttributes(String status) {}

    record DeletedBody(DeletedData data) {}

    record DeletedData(String type, MessageAttributes attributes) {}

    record MessageAttributes(String message) {}

    // ---- secrets

    record SecretsBody(SecretsData data) {}

    record SecretsData(List<SecretSummary> secrets) {}

    record SecretSummary(String type, String id, String name) {}

    record SecretCreatedBody(SecretCreated data) {}

    record SecretCreated(String type, String id, String name) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SecretDetail(
            String type,
            String id,
            String name,
            String value,
            @JsonProperty("created_at") String createdAt) {}

    record SecretDetailBody(SecretDetail data) {}

    record SecretDeletedBody(SecretDeleted data) {}

    record SecretDeleted(String type, String message) {}

    // ---- errors, auth test, balance (GUESSED shapes)

    record Error(String error) {}

    /** HTTP 200 carrying a failure, as seen live for stale inventory. */
    record Error200(int status, String error) {}

    record ValidationIssue(String code, String message, List<String> path) {}

    record JsonApiErrors(List<JsonApiError> errors) {}

    record JsonApiError(String status, String title, String detail) {}

    record AuthTest(boolean success) {}

    record BalanceBody(Balance data) {}

    record Balance(
            String type,
            double balance,
            String currency,
            @JsonProperty("total_spent") double totalSpent,
            @JsonProperty("hourly_spend") double hourlySpend) {}
}
