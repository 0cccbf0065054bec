package io.gpubroker.provider.intent;

import java.util.List;

/** One provision intent row: what was asked, what the provider returned so far, and the outcome once final. */
public record Intent(
        String commandId,
        String sessionId,
        String provider,
        String offerId,
        String ownershipTag,
        List<String> sshPublicKeys,
        String instanceId,
        int attempts,
        String outcomeType,
        String outcome) {

    public boolean finished() {
        return outcomeType != null;
    }
}
