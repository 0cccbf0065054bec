package io.gpubroker.sim.barrack;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Barrack's JSON shapes (documented ones from the deploy and pricing pages; the rest GUESSED). */
final class BarrackApi {

    private BarrackApi() {}

    /** The envelope of every success: {@code success, message, request_id, timestamp, data, tier}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Envelope(
            boolean success,
            String message,
            @JsonProperty("request_id") String requestId,
            String timestamp,
            Object data,
            Object pagination,
            String tier) {}

    /** Pricing answers under {@code pricing_data}, not {@code data}. */
    record PricingEnvelope(
            boolean success,
            String message,
            @JsonProperty("pricing_data") Object pricingData,
            @JsonProperty("request_id") String requestId) {}

    /** The ErrorResponse shape (fields GUESSED). */
    record ErrorBody(
            boolean success,
            String message,
            String error,
            @JsonProperty("request_id") String requestId,
            String timestamp) {}

    record Gpu(
            String model,
            int count,
            @JsonProperty("hourly_rate") double hourlyRate) {}

    record Compute(Gpu gpu) {}

    record OsVolume(
            @JsonProperty("size_gb") int sizeGb,
            String type,
            @JsonProperty("hourly_rate") double hourlyRate) {}

    record Storage(
            @JsonProperty("os_volume") OsVolume osVolume,
            @JsonProperty("data_volumes") List<Map<String, Object>> dataVolumes,
            @JsonProperty("data_volumes_total") double dataVolumesTotal) {}

    record Breakdown(Compute compute, Storage storage) {}

    record Billing(
            Breakdown breakdown,
            @JsonProperty("total_hourly_rate") double totalHourlyRate,
            String currency) {}

    record Specs(
            @JsonProperty("gpu_type") String gpuType,
            @JsonProperty("gpu_count") int gpuCount,
            @JsonProperty("ram_gb") int ramGb,
            int vcpus,
            @JsonProperty("storage_gb") int storageGb) {}

    record Features(
            @JsonProperty("startup_script_configured") boolean startupScriptConfigured) {}

    /**
     * A VM as deploy/get/list return it. {@code ssh_port} is a simulator addition (the real VM
     * listens on 22 at {@code ip_address}). {@code sim_port_map} is one too: the real VM serves
     * every port its {@code security_rules} open directly at {@code ip_address}, which loopback
     * cannot do per VM, so each ingress port other than 22 (TCP, ranges up to 32 ports) is
     * pre-allocated at deploy as {@code {"8000": <loopback port>}}; {@code docker run -p 8000:...}
     * on the VM answers there (a port published without a rule is added when docker publishes it).
     * Every other field is the documented deploy {@code data}.
     */
    record Instance(
            @JsonProperty("instance_id") String instanceId,
            @JsonProperty("vm_name") String vmName,
            String region,
            @JsonProperty("ip_address") String ipAddress,
            @JsonProperty("ip_status") String ipStatus,
            @JsonProperty("ssh_port") Integer sshPort,
            @JsonProperty("sim_port_map") Map<String, Integer> simPortMap,
            Billing billing,
            Specs specs,
            String status,
            @JsonProperty("boot_source") String bootSource,
            @JsonProperty("operating_system") String operatingSystem,
            Features features,
            @JsonProperty("created_at") String createdAt,
            @JsonProperty("ssh_key") String sshKey,
            @JsonProperty("security_rules") List<Object> securityRules) {}

    /** Start/stop/delete/... answer: the id and the transitional status. */
    record StatusChange(@JsonProperty("instance_id") String instanceId, String status) {}

    record Pagination(
            int page,
            @JsonProperty("page_size") int pageSize,
            @JsonProperty("total_count") int totalCount,
            @JsonProperty("total_pages") int totalPages) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SshKey(
            int id,
            String name,
            @JsonProperty("public_key") String publicKey,
            String fingerprint,
            @JsonProperty("created_at") String createdAt,
            @JsonProperty("private_key") String privateKey) {

        SshKey withoutPrivateKey() {
            return new SshKey(id, name, publicKey, fingerprint, createdAt, null);
        }
    }

    record Balance(double balance, String currency) {}

    record BillingRecord(
            String status, @JsonProperty("hourly_rate") double hourlyRate, String start, String end, double cost) {}

    record InstanceBilling(
            @JsonProperty("instance_id") String instanceId,
            @JsonProperty("vm_name") String vmName,
            String status,
            String currency,
            @JsonProperty("hourly_rate") double hourlyRate,
            @JsonProperty("total_cost") double totalCost,
            @JsonProperty("billed_minutes") long billedMinutes,
            @JsonProperty("billing_records") List<BillingRecord> records) {}
}
