package io.gpubroker.session.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/** Session-service settings (prefix {@code session}); durations are on the broker clock. */
@ConfigMapping(prefix = "session")
public interface SessionConfig {

    /** Most a session may live, counted from creation across all extensions. */
    @WithDefault("12h")
    Duration hardMax();

    /**
     * How long to wait for a reply to ProvisionInstance before sending it again (same command id:
     * the gateway answers a duplicate with its first outcome). Generous: a create may legitimately
     * take minutes (the gateway retries, installs keys, resolves a timed-out create by tag).
     */
    @WithDefault("10m")
    Duration provisionResendAfter();

    /** Resends of a create sent before creates had deadlines (rows from older versions). */
    @WithDefault("6")
    int provisionMaxResends();

    /**
     * How long a create may wait (in provider-gateway's queue, behind a provider's rate limit)
     * before it must not begin: the gateway drops it past this deadline and answers "expired".
     */
    @WithDefault("10m")
    Duration provisionDeadline();

    /**
     * Real-time floor of {@link #provisionDeadline()}: provider rate limits and the gateway's queue
     * run on real time, so a fast broker clock must not shrink the wait below this.
     */
    @WithDefault("90s")
    Duration provisionDeadlineRealMin();

    /** After the deadline, how long an answer to a create that began in time is awaited before the session fails. */
    @WithDefault("2m")
    Duration provisionReplyGrace();

    @WithDefault("15s")
    Duration provisionReplyGraceRealMin();

    /** Real-time floor between two lookups of one instance (providers rate-limit on real time). */
    @WithDefault("2s")
    Duration pollRealMin();

    /**
     * Verification timeout per workload type (image pulls take minutes), keyed by workload;
     * {@code session.verify-timeout.default} for the rest (15 minutes if unset).
     */
    Map<String, Duration> verifyTimeout();

    /**
     * Real-time floor of the verification timeout: on a fast broker clock (60x: 15 broker minutes are
     * 15 real seconds) a busy machine must not fail a healthy host for want of CPU; at 1x it never binds.
     */
    @WithDefault("45s")
    Duration verifyTimeoutRealMin();

    /** First gap between status polls / SSH attempts; doubles up to {@link #pollMax()}. */
    @WithDefault("5s")
    Duration pollMin();

    @WithDefault("60s")
    Duration pollMax();

    /** First gap between destroy retries; doubles up to {@link #terminateRetryMax()}, forever. */
    @WithDefault("10s")
    Duration terminateRetryMin();

    @WithDefault("5m")
    Duration terminateRetryMax();

    /** Without an agent, how often the GPU utilisation is probed over SSH. */
    @WithDefault("5m")
    Duration idleProbeEvery();

    /** How often a running session's instance is looked up at its provider (death, pause, vanish). */
    @WithDefault("5m")
    Duration statusPollEvery();

    /** After the idle warning, how long the session has to show activity before it is stopped. */
    @WithDefault("5m")
    Duration idleGrace();

    /** GPU utilisation at or below this counts as idle. */
    @WithDefault("5")
    int idleUtilPct();

    /**
     * Pending, provisioning and running sessions one consumer may hold; 0 = no cap. Enforced here, in
     * the create transaction, so it holds across every replica of the api-gateway and this service.
     */
    @WithDefault("5")
    int maxActivePerConsumer();

    /** An instance the broker tagged with no live session is an orphan only after this age. */
    @WithDefault("10m")
    Duration orphanGrace();

    /** Comparable offers for auto-retry may cost at most this factor of the original price. */
    @WithDefault("1.25")
    double retryPriceFactor();

    /** Real time between timer claims (the Quarkus scheduler's floor is one second). */
    @WithDefault("1s")
    Duration tick();

    /** SSH connect / auth timeout for one attempt (real time). */
    @WithDefault("10s")
    Duration sshTimeout();

    /** Entrypoint mode (an image whose HTTP API must answer health before the session runs). */
    App app();

    /** Failover to other offers when a create or a host fails (ADR 0020). */
    Failover failover();

    /** {@code session.failover.*}. */
    interface Failover {
        /** The providers a {@code requirements} object may name (inventory-service's list). */
        @WithDefault("vastai,tensordock,rackrr,barrack,trooper")
        java.util.Set<String> providers();

        /**
         * Whether an {@code offer_id} create fails over when it does not say ({@code auto_retry}); a
         * {@code requirements} create always may.
         */
        @WithDefault("true")
        boolean offerDefault();

        /** Further offers tried when the request does not say ({@code max_retries}); failover is on by default. */
        @WithDefault("3")
        int defaultRetries();

        /** No failover starts later than this after the create (broker clock)... */
        @WithDefault("30m")
        Duration window();

        /** ...nor, on a fast clock, earlier than this real time (one failed SSH verification takes 45 s or more). */
        @WithDefault("5m")
        Duration windowRealMin();

        /** Offers looked at per search (each GPU type x provider combination of a requirements object). */
        @WithDefault("50")
        int searchLimit();

        /** Offer details read (and budget checks made) before giving up on finding one. */
        @WithDefault("6")
        int maxLookups();
    }

    /** {@code session.app.*}. */
    interface App {
        /** Providers whose instance IS the container: the start command goes with the create. */
        @WithDefault("vastai")
        java.util.Set<String> containerProviders();

        /** Providers that publish a port the user can reach; entrypoint mode is refused elsewhere. */
        @WithDefault("vastai,tensordock,barrack")
        java.util.Set<String> portProviders();

        /** The app port when the request names none (vLLM's and TGI's usual 8000). */
        @WithDefault("8000")
        int defaultPort();

        @WithDefault("/health")
        String healthPath();

        /** From host verified to health 200 (model download + load), broker clock. */
        @WithDefault("30m")
        Duration healthTimeout();

        /** Real-time limit on {@code docker run} over SSH (it pulls the image first). */
        @WithDefault("20m")
        Duration launchTimeout();

        /** One health request (real time). */
        @WithDefault("5s")
        Duration healthRequestTimeout();
    }
}
