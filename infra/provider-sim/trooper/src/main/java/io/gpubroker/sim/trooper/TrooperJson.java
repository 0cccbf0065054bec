package io.gpubroker.sim.trooper;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Trooper's response bodies, field names exactly as in the API document. */
final class TrooperJson {

    private TrooperJson() {}

    /** {@code GET /api/blibs} item; availability fields are absent on {@code /api/blibs-private}. */
    record BlibView(
            @JsonProperty("id") int id,
            @JsonProperty("name") String name,
            @JsonProperty("gpu_type") String gpuType,
            @JsonProperty("gpu_num") int gpuNum,
            @JsonProperty("gpu_ram") int gpuRam,
            @JsonProperty("cpu_cores") int cpuCores,
            @JsonProperty("cpu_ram") int cpuRam,
            @JsonProperty("hdd") int hdd,
            @JsonProperty("price_h") double priceH,
            @JsonProperty("is_public") int isPublic,
            @JsonProperty("country_code") String countryCode,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("is_available")
            Boolean isAvailable,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("available_hosts")
            List<String> availableHosts,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("fitCount")
            Integer fitCount,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("maxPossibleInstances")
            Integer maxPossibleInstances) {}

    /** {@code GET /api/orders} item. */
    record OrderView(
            @JsonProperty("order_id") int orderId,
            @JsonProperty("serverId") int serverId,
            @JsonProperty("title") String title,
            @JsonProperty("status") String status,
            @JsonProperty("status_user") String statusUser,
            @JsonProperty("server_name") String serverName,
            @JsonProperty("machine_name") String machineName,
            @JsonProperty("ip") String ip,
            @JsonProperty("ssh_port") Integer sshPort,
            @JsonProperty("price_h") BigDecimal priceH,
            @JsonProperty("paid_until") String paidUntil,
            @JsonProperty("contract_interval") String contractInterval,
            @JsonProperty("is_locked") boolean isLocked,
            @JsonProperty("is_low_priority") boolean isLowPriority,
            @JsonProperty("blib_name") String blibName,
            @JsonProperty("blib_gpu_type") String blibGpuType,
            @JsonProperty("blib_gpu_num") int blibGpuNum,
            @JsonProperty("country_code") String countryCode,
            @JsonProperty("template_installs") List<InstallView> templateInstalls) {}

    /** A template install as listed inside an order. */
    record InstallView(
            @JsonProperty("id") int id,
            @JsonProperty("template_name") String templateName,
            @JsonProperty("status") int status,
            @JsonProperty("status_readable") String statusReadable) {}

    /** {@code GET /api/template-config} item. */
    record InstallConfigView(
            @JsonProperty("install_id") int installId,
            @JsonProperty("template_id") int templateId,
            @JsonProperty("template_name") String templateName,
            @JsonProperty("status") int status,
            @JsonProperty("status_readable") String statusReadable,
            @JsonProperty("config") Map<String, Object> config) {}

    record TemplateConfig(
            @JsonProperty("success") boolean success,
            @JsonProperty("templates") List<InstallConfigView> templates) {}

    /** {@code GET /api/templates} item. */
    record Template(
            @JsonProperty("id") int id,
            @JsonProperty("name") String name,
            @JsonProperty("description") String description,
            @JsonProperty("category") String category,
            @JsonProperty("is_public") boolean isPublic,
            @JsonProperty("options") List<TemplateOption> options) {}

    record TemplateOption(
            @JsonProperty("id") int id,
            @JsonProperty("name") String name,
            @JsonProperty("type") String type,
            @JsonProperty("default_value") String defaultValue,
            @JsonProperty("possible_values") String possibleValues) {}

    record OrderCreated(
            @JsonProperty("success") boolean success,
            @JsonProperty("orderId") int orderId) {}

    record StatusChanged(
            @JsonProperty("success") boolean success,
            @JsonProperty("message") String message,
            @JsonProperty("status") String status) {}

    record Message(
            @JsonProperty("success") boolean success,
            @JsonProperty("message") String message) {}

    record LockUpdated(
            @JsonProperty("success") boolean success,
            @JsonProperty("updated") int updated) {}

    record Credentials(
            @JsonProperty("success") boolean success,
            @JsonProperty("ip") String ip,
            @JsonProperty("ssh_port") Integer sshPort,
            @JsonProperty("username") String username,
            @JsonProperty("password") String password,
            @JsonProperty("status") String status) {}

    record HistoryEntry(
            @JsonProperty("id") int id,
            @JsonProperty("status_user") String statusUser,
            @JsonProperty("status_txt") String statusTxt,
            @JsonProperty("status_since") String statusSince) {}

    record History(
            @JsonProperty("success") boolean success,
            @JsonProperty("history") List<HistoryEntry> history) {}

    record InstallAdded(
            @JsonProperty("success") boolean success,
            @JsonProperty("install_id") int installId,
            @JsonProperty("message") String message) {}

    /** Error body: {@code {"error": "..."}}, with {@code success: false} / {@code next} where documented. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Error(
            @JsonProperty("success") Boolean success,
            @JsonProperty("error") String error,
            @JsonProperty("next") String next) {}

    /** GUESSED budget view (Trooper documents no balance endpoint; off unless trooper.budget-path is set). */
    record Budget(
            @JsonProperty("success") boolean success,
            @JsonProperty("budget") BigDecimal budget,
            @JsonProperty("spent") BigDecimal spent,
            @JsonProperty("currency") String currency) {}

    record CurrentOrder(
            @JsonProperty("id") int id,
            @JsonProperty("title") String title,
            @JsonProperty("status") String status,
            @JsonProperty("contract_interval") String contractInterval,
            @JsonProperty("paid_until") String paidUntil) {}

    record CurrentBlib(
            @JsonProperty("id") int id,
            @JsonProperty("name") String name,
            @JsonProperty("gpu_type") String gpuType,
            @JsonProperty("gpu_num") int gpuNum,
            @JsonProperty("price_h") double priceH) {}

    record MigrationBlib(
            @JsonProperty("id") int id,
            @JsonProperty("name") String name,
            @JsonProperty("gpu_type") String gpuType,
            @JsonProperty("gpu_num") int gpuNum,
            @JsonProperty("price_h") double priceH,
            @JsonProperty("is_available") boolean isAvailable,
            @JsonProperty("additionalCostPerCycle") double additionalCostPerCycle) {}

    record MigrationOptions(
            @JsonProperty("success") boolean success,
            @JsonProperty("currentOrder") CurrentOrder currentOrder,
            @JsonProperty("currentBlib") CurrentBlib currentBlib,
            @JsonProperty("availableBlibs") List<MigrationBlib> availableBlibs) {}

    record Rate(
            @JsonProperty("amount") double amount,
            @JsonProperty("display") String display) {}

    record MigrationCost(
            @JsonProperty("success") boolean success,
            @JsonProperty("upgradeCost") double upgradeCost,
            @JsonProperty("remainingValue") double remainingValue,
            @JsonProperty("totalDue") double totalDue,
            @JsonProperty("additionalCostPerCycle") double additionalCostPerCycle,
            @JsonProperty("nextBillingDate") String nextBillingDate,
            @JsonProperty("currentRate") Rate currentRate,
            @JsonProperty("newRate") Rate newRate) {}

    record MigrationBought(
            @JsonProperty("success") boolean success,
            @JsonProperty("message") String message,
            @JsonProperty("new_order_id") int newOrderId) {}
}
