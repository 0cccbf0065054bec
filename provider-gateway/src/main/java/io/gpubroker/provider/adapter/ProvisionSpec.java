package io.gpubroker.provider.adapter;

import io.gpubroker.contracts.ProvisionInstance;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** What an adapter needs to create one instance: the offer's provisioning map, keys and the ownership tag. */
public record ProvisionSpec(
        String sessionId,
        String tag,
        String offerId,
        Map<String, String> provisioning,
        String gpuType,
        int gpuCount,
        BigDecimal pricePerHour,
        List<String> sshPublicKeys,
        String image,
        Integer diskGb,
        String launchMode,
        String dockerImage,
        String templateHashId,
        List<Integer> exposedPorts,
        Map<String, String> env,
        String startCommand) {

    public static ProvisionSpec of(ProvisionInstance c, String tag) {
        return new ProvisionSpec(
                c.sessionId(),
                tag,
                c.offerId(),
                c.provisioning(),
                c.gpuType(),
                c.gpuCount(),
                c.pricePerHour(),
                c.sshPublicKeys(),
                c.image(),
                c.diskGb(),
                c.launchMode(),
                c.dockerImage(),
                c.templateHashId(),
                c.exposedPorts(),
                c.env(),
                c.startCommand());
    }

    /** A provisioning value the offer must carry; its absence means the command is not usable here. */
    public String required(String key) {
        String v = provisioning.get(key);
        if (v == null || v.isBlank()) {
            throw ProviderException.of(ErrorClass.INVALID, "offer provisioning lacks '" + key + "'");
        }
        return v;
    }

    public int requiredInt(String key) {
        try {
            return Integer.parseInt(required(key).trim());
        } catch (NumberFormatException e) {
            throw ProviderException.of(ErrorClass.INVALID, "offer provisioning '" + key + "' is not an integer");
        }
    }
}
