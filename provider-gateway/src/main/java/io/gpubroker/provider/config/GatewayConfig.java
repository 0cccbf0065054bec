package io.gpubroker.provider.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * provider-gateway's own settings, typed, one mapping per key group it owns ({@code broker.gateway},
 * {@code broker.offers}, {@code broker.inventory}, {@code broker.terminate}, {@code broker.create}, {@code broker.commands},
 * {@code broker.ownership}). There is no single {@code broker} root: a mapping validates every key
 * under its prefix, and {@code broker.*} also holds keys the gateway does not own (the internal
 * token, the clock, {@code broker.deployment} shared with session-service, {@code broker.db.schema}
 * shared with service-kit). Each provider's settings ({@code broker.providers.<name>.*}: endpoint,
 * key, call policy and the adapter's options for the guessed parts of its API) are read by
 * {@code ProviderSettings}, one provider at a time.
 */
public final class GatewayConfig {
    private GatewayConfig() {}

    /** What this process serves. */
    @ConfigMapping(prefix = "broker.gateway")
    public interface Gateway {
        /** {@code BROKER_GATEWAY_PROVIDERS=rackrr}: serve only these providers (one process per provider, ADR 0014); unset: every enabled one. */
        Optional<List<String>> providers();
    }

    /** Offer polling. */
    @ConfigMapping(prefix = "broker.offers")
    public interface Offers {
        /** Offers per {@code provider.offers} snapshot page. */
        @WithDefault("2000")
        int pageSize();

        @WithDefault("true")
        boolean pollEnabled();
    }

    /** The periodic listing of our instances per provider. */
    @ConfigMapping(prefix = "broker.inventory")
    public interface Inventory {
        @WithDefault("PT60S")
        Duration interval();

        @WithDefault("true")
        boolean enabled();
    }

    /** Terminate commands. */
    @ConfigMapping(prefix = "broker.terminate")
    public interface Terminate {
        /** How long a destroy is watched for the provider to confirm the instance gone. */
        @WithDefault("PT30S")
        Duration confirmTimeout();

        @WithDefault("PT0.5S")
        Duration confirmPoll();
    }

    /** Create commands. */
    @ConfigMapping(prefix = "broker.create")
    public interface Create {
        /** How long a create that cannot carry its tag waits for the one untagged instance to appear. */
        @WithDefault("PT60S")
        Duration adoptWait();
    }

    /** The command queue. */
    @ConfigMapping(prefix = "broker.commands")
    public interface Commands {
        /** A command that waited longer than this (real time) is logged. */
        @WithDefault("PT10S")
        Duration lagWarn();
    }

    /** Ownership tags {@code <prefix>-<deployment>-<session>}. */
    @ConfigMapping(prefix = "broker.ownership")
    public interface Ownership {
        /** The tag's first word; [a-z0-9] only. */
        @WithDefault("gpub")
        String prefix();
    }
}
