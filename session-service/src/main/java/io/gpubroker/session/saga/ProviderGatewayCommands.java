package io.gpubroker.session.saga;

import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.session.app.AppLaunch;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.ssh.SessionKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The saga's participant proxy for provider-gateway: every command this service sends on
 * {@code provisioning.requests} is built here, so its fields are filled in one place.
 */
@ApplicationScoped
public class ProviderGatewayCommands {

    private final SessionConfig cfg;
    private final Function<Session, List<String>> publicKeys;

    /**
     * The verification key first: a provider that takes a single key (Rackrr) gets the broker's, and
     * the verifier installs the user's key over SSH on every host (idempotent).
     */
    @Inject
    public ProviderGatewayCommands(SessionConfig cfg, SessionKeys keys) {
        this(cfg, s -> List.of(keys.verificationPublicKeyLine(s.id, s.keys.verifySalt), s.keys.userPublicKey));
    }

    /** {@code publicKeys} gives the keys to inject into a new instance. */
    public ProviderGatewayCommands(SessionConfig cfg, Function<Session, List<String>> publicKeys) {
        this.cfg = cfg;
        this.publicKeys = publicKeys;
    }

    static String commandId() {
        return UUID.randomUUID().toString();
    }

    /** Whether the provider starts the session's container itself (the create carries the start command). */
    public boolean containerNative(Session s) {
        return cfg.app().containerProviders().contains(s.offer.provider);
    }

    /** The session's current create (its command id repeats on every resend). */
    public ProvisionInstance provision(Session s, Instant now) {
        List<Integer> ports = AppLaunch.ports(s);
        Map<String, String> env = Map.of();
        String startCommand = null;
        if (s.terms.launchMode == LaunchMode.entrypoint && containerNative(s)) {
            env = AppLaunch.env(s, AppLaunch.appPort(s, cfg.app().defaultPort()));
            startCommand = AppLaunch.startCommand(s, cfg.app().defaultPort());
        }
        return new ProvisionInstance(
                s.saga.provisionCommandId,
                s.id,
                s.consumerId,
                s.offer.provider,
                s.offer.offerId,
                s.offer.offerProvisioning == null ? Map.of() : s.offer.offerProvisioning,
                s.offer.gpuType,
                s.offer.gpuCount,
                s.offer.pricePerHour,
                publicKeys.apply(s),
                null,
                s.terms.diskGb,
                LaunchMode.wire(s.terms.launchMode),
                s.terms.dockerImage,
                s.terms.templateHashId,
                ports,
                env,
                startCommand,
                now,
                s.saga.provisionDeadlineAt,
                s.saga.retryCount);
    }

    /** Destroys the session's own instance (the stop reason travels with it). */
    public TerminateInstance terminate(Session s, Instant now) {
        return new TerminateInstance(commandId(), s.id, s.offer.provider, s.host.instanceId, s.saga.stopReason, now);
    }

    /** Destroys an instance created for the session that it does not want. */
    public TerminateInstance destroyUnwanted(Session s, InstanceProvisioned r, String why, Instant now) {
        return new TerminateInstance(commandId(), s.id, r.provider(), r.instanceId(), "unwanted: " + why, now);
    }

    /** Destroys a listed instance that no session wants. */
    public TerminateInstance destroyOrphan(String sessionId, String provider, String instanceId, Instant now) {
        return new TerminateInstance(commandId(), sessionId, provider, instanceId, "orphan", now);
    }

    /** Looks the session's instance up; the gateway drops the lookup once {@code staleAt} passed. */
    public DescribeInstance describe(Session s, Instant now, Instant staleAt) {
        return new DescribeInstance(commandId(), s.id, s.offer.provider, s.host.instanceId, now, staleAt);
    }

    /** Looks the session's instance up, with no time after which the answer is useless. */
    public DescribeInstance describe(Session s, Instant now) {
        return new DescribeInstance(commandId(), s.id, s.offer.provider, s.host.instanceId, now);
    }
}
