package io.gpubroker.sim.tensordock;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed {@code POST /instances} body, or the validation issues TensorDock answers with (a JSON
 * array of {@code {code, message, path}}). Rules from the docs: storage ≥ 100 GB, even vCPU
 * counts, exactly one of {@code ssh_key}/{@code ssh_key_id}, at least one GPU for location-based
 * deployment, and Ubuntu VMs without a dedicated IP must forward port 22.
 */
record CreateRequest(
        String name,
        String image,
        String locationId,
        String hostnodeId,
        int vcpu,
        int ramGb,
        int storageGb,
        String v0Name,
        int gpuCount,
        boolean useDedicatedIp,
        List<TdJson.PortForward> portForwards,
        String sshKey,
        String sshKeyId,
        CloudInitKeys cloudInit) {

    static final Pattern PUBLIC_KEY =
            Pattern.compile("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+( .*)?$");

    /** The parts of cloud_init that can put a key into authorized_keys. */
    record CloudInitKeys(
            List<String> runcmdKeyLines, List<String> writeFilesKeys, List<String> sshAuthorizedKeys, boolean forRoot) {
        static final CloudInitKeys NONE = new CloudInitKeys(List.of(), List.of(), List.of(), false);
    }

    /** Validation rules that are GUESSED in the spec, from {@code tensordock.*} config. */
    record Rules(Set<String> images, int minStorageGb, int nameMaxLength, Set<Integer> ramSteps) {}

    /** Either a request or the issues; exactly one is non-null / non-empty. */
    record Parsed(CreateRequest request, List<TdJson.ValidationIssue> issues) {}

    static Parsed parse(JsonObject body, Rules rules) {
        Issues issues = new Issues();
        JsonObject data = body == null ? null : object(body, "data", issues, "data");
        JsonObject a = data == null ? null : object(data, "attributes", issues, "data", "attributes");
        if (a == null) {
            return new Parsed(null, issues.list);
        }
        if (data.getValue("type") != null && !"virtualmachine".equals(data.getValue("type"))) {
            issues.add("invalid_literal", "Expected \"virtualmachine\"", "data", "type");
        }
        String name = string(a, "name", true, issues);
        if (name != null && (name.isBlank() || name.length() > rules.nameMaxLength())) {
            issues.add(
                    "too_big", "Name must be 1-" + rules.nameMaxLength() + " characters", "data", "attributes", "name");
        }
        String type = string(a, "type", true, issues);
        if (type != null && !type.equals("virtualmachine")) {
            issues.add("invalid_literal", "Expected \"virtualmachine\"", "data", "attributes", "type");
        }
        String image = string(a, "image", true, issues);
        if (image != null && !rules.images().contains(image)) {
            issues.add("invalid_enum_value", "Invalid image: " + image, "data", "attributes", "image");
        }
        String locationId = string(a, "location_id", false, issues);
        String hostnodeId = string(a, "hostnode_id", false, issues);
        if ((locationId == null) == (hostnodeId == null)) {
            issues.add("invalid_union", "Provide exactly one of location_id or hostnode_id", "data", "attributes");
        }
        int vcpu = 0;
        int ram = 0;
        int storage = 0;
        String v0Name = null;
        int gpuCount = 0;
        JsonObject res = object(a, "resources", issues, "data", "attributes", "resources");
        if (res != null) {
            vcpu = integer(res, "vcpu_count", issues, "resources");
            ram = integer(res, "ram_gb", issues, "resources");
            storage = integer(res, "storage_gb", issues, "resources");
            if (vcpu != -1 && (vcpu < 2 || vcpu % 2 != 0)) {
                issues.add(
                        "invalid",
                        "vCPU count must be an even number of at least 2",
                        "data",
                        "attributes",
                        "resources",
                        "vcpu_count");
            }
            if (ram != -1
                    && (ram < 1
                            || !rules.ramSteps().isEmpty() && !rules.ramSteps().contains(ram))) {
                issues.add(
                        "invalid", "RAM must be one of the allowed sizes", "data", "attributes", "resources", "ram_gb");
            }
            if (storage != -1 && storage < rules.minStorageGb()) {
                issues.add(
                        "too_small",
                        "Storage must be at least " + rules.minStorageGb() + " GB",
                        "data",
                        "attributes",
                        "resources",
                        "storage_gb");
            }
            Object gpus = res.getValue("gpus");
            if (gpus != null && !(gpus instanceof JsonObject)) {
                issues.add("invalid_type", "Expected object", "data", "attributes", "resources", "gpus");
            } else if (gpus != null) {
                JsonObject g = (JsonObject) gpus;
                if (g.size() > 1) {
                    issues.add(
                            "invalid",
                            "Only one GPU model per instance is supported",
                            "data",
                            "attributes",
                            "resources",
                            "gpus");
                }
                for (String model : g.fieldNames()) {
                    Object spec = g.getValue(model);
                    Object count = spec instanceof JsonObject o ? o.getValue("count") : null;
                    if (!(count instanceof Integer || count instanceof Long) || ((Number) count).intValue() < 1) {
                        issues.add(
                                "invalid_type",
                                "GPU count must be a positive integer",
                                "data",
                                "attributes",
                                "resources",
                                "gpus",
                                model,
                                "count");
                    } else {
                        v0Name = model;
                        gpuCount = ((Number) count).intValue();
                    }
                }
            }
            if (locationId != null && gpuCount == 0) {
                issues.add(
                        "invalid",
                        "Location-based deployment requires at least one GPU",
                        "data",
                        "attributes",
                        "resources",
                        "gpus");
            }
        }
        Object dedicated = a.getValue("useDedicatedIp");
        if (dedicated != null && !(dedicated instanceof Boolean)) {
            issues.add("invalid_type", "Expected boolean", "data", "attributes", "useDedicatedIp");
        }
        boolean useDedicatedIp = Boolean.TRUE.equals(dedicated);
        List<TdJson.PortForward> forwards = portForwards(a, issues);
        String sshKey = string(a, "ssh_key", false, issues);
        String sshKeyId = string(a, "ssh_key_id", false, issues);
        if ((sshKey == null) == (sshKeyId == null)) {
            issues.add("invalid_union", "Provide exactly one of ssh_key or ssh_key_id", "data", "attributes");
        } else if (sshKey != null && !PUBLIC_KEY.matcher(sshKey.trim()).matches()) {
            issues.add("invalid_string", "Invalid SSH public key", "data", "attributes", "ssh_key");
        }
        if (image != null
                && image.startsWith("ubuntu")
                && !useDedicatedIp
                && forwards.stream().noneMatch(f -> f.internalPort() == 22)) {
            issues.add(
                    "invalid", "SSH port (22) must be forwarded for Ubuntu VMs", "data", "attributes", "port_forwards");
        }
        CloudInitKeys keys = cloudInit(a, issues);
        if (!issues.list.isEmpty()) {
            return new Parsed(null, issues.list);
        }
        return new Parsed(
                new CreateRequest(
                        name,
                        image,
                        locationId,
                        hostnodeId,
                        vcpu,
                        ram,
                        storage,
                        v0Name,
                        gpuCount,
                        useDedicatedIp,
                        forwards,
                        sshKey == null ? null : sshKey.trim(),
                        sshKeyId,
                        keys),
                List.of());
    }

    private static List<TdJson.PortForward> portForwards(JsonObject a, Issues issues) {
        Object raw = a.getValue("port_forwards");
        List<TdJson.PortForward> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof JsonArray arr)) {
            issues.add("invalid_type", "Expected array", "data", "attributes", "port_forwards");
            return out;
        }
        for (int i = 0; i < arr.size(); i++) {
            Object item = arr.getValue(i);
            Object in = item instanceof JsonObject o ? o.getValue("internal_port") : null;
            Object ex = item instanceof JsonObject o ? o.getValue("external_port") : null;
            if (!(in instanceof Integer ip) || ip < 1 || ip > 65535 || ex != null && !(ex instanceof Integer)) {
                issues.add(
                        "invalid_type",
                        "Port forward needs integer internal_port (and optional external_port)",
                        "data",
                        "attributes",
                        "port_forwards",
                        String.valueOf(i));
                continue;
            }
            out.add(new TdJson.PortForward(ip, ex == null ? 0 : (Integer) ex));
        }
        return out;
    }

    private static CloudInitKeys cloudInit(JsonObject a, Issues issues) {
        Object raw = a.getValue("cloud_init");
        if (raw == null) {
            return CloudInitKeys.NONE;
        }
        if (!(raw instanceof JsonObject ci)) {
            issues.add("invalid_type", "Expected object", "data", "attributes", "cloud_init");
            return CloudInitKeys.NONE;
        }
        List<String> runcmd = new ArrayList<>();
        boolean root = false;
        for (String line : strings(ci, "runcmd", issues)) {
            if (line.contains("authorized_keys")) {
                runcmd.add(line);
                root |= line.contains("/root/");
            }
        }
        for (String p : strings(ci, "packages", issues)) {
            if (p.isBlank()) {
                issues.add("invalid_string", "Empty package name", "data", "attributes", "cloud_init", "packages");
            }
        }
        for (String flag : List.of("package_update", "package_upgrade")) {
            if (ci.getValue(flag) != null && !(ci.getValue(flag) instanceof Boolean)) {
                issues.add("invalid_type", "Expected boolean", "data", "attributes", "cloud_init", flag);
            }
        }
        List<String> files = new ArrayList<>();
        Object wf = ci.getValue("write_files");
        if (wf instanceof JsonArray arr) {
            for (Object f : arr) {
                if (f instanceof JsonObject o
                        && o.getValue("path") instanceof String path
                        && path.endsWith("authorized_keys")
                        && o.getValue("content") instanceof String content) {
                    // TensorDock ignores "encoding": base64 content lands verbatim and is no key.
                    files.add(content);
                    root |= path.startsWith("/root/");
                }
            }
        } else if (wf != null) {
            issues.add("invalid_type", "Expected array", "data", "attributes", "cloud_init", "write_files");
        }
        List<String> sshAuthorizedKeys = strings(ci, "ssh_authorized_keys", issues);
        return new CloudInitKeys(runcmd, files, sshAuthorizedKeys, root);
    }

    private static List<String> strings(JsonObject o, String key, Issues issues) {
        Object raw = o.getValue(key);
        List<String> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (raw instanceof JsonArray arr && arr.stream().allMatch(v -> v instanceof String)) {
            arr.forEach(v -> out.add((String) v));
        } else {
            issues.add("invalid_type", "Expected array of strings", "data", "attributes", "cloud_init", key);
        }
        return out;
    }

    private static JsonObject object(JsonObject parent, String key, Issues issues, String... path) {
        Object v = parent.getValue(key);
        if (v instanceof JsonObject o) {
            return o;
        }
        issues.add("invalid_type", v == null ? "Required" : "Expected object", path);
        return null;
    }

    private static String string(JsonObject a, String key, boolean required, Issues issues) {
        Object v = a.getValue(key);
        if (v == null) {
            if (required) {
                issues.add("invalid_type", "Required", "data", "attributes", key);
            }
            return null;
        }
        if (!(v instanceof String s)) {
            issues.add("invalid_type", "Expected string", "data", "attributes", key);
            return null;
        }
        return s;
    }

    private static int integer(JsonObject res, String key, Issues issues, String parent) {
        Object v = res.getValue(key);
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l) {
            return (int) Math.min(Integer.MAX_VALUE, l);
        }
        issues.add("invalid_type", v == null ? "Required" : "Expected integer", "data", "attributes", parent, key);
        return -1;
    }

    private static final class Issues {
        final List<TdJson.ValidationIssue> list = new ArrayList<>();

        void add(String code, String message, String... path) {
            list.add(new TdJson.ValidationIssue(code, message, List.of(path)));
        }
    }
}
