package io.gpubroker.inventory.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** Settings of the offer catalog under {@code inventory.*}. */
@ConfigMapping(prefix = "inventory")
public interface InventoryConfig {

    /** Providers the broker knows; snapshots of others are dead-lettered, filters on others are 400. */
    @WithDefault("vastai,tensordock,rackrr,barrack,trooper")
    List<String> providers();

    Offer offer();

    Snapshot snapshot();

    Search search();

    Health health();

    Templates templates();

    Replicas replicas();

    /** How a replica follows what the other replicas applied (issue #14). */
    interface Replicas {
        /** How often the stored catalog heads and new provisioning outcomes are read. */
        @WithDefault("1s")
        Duration syncEvery();

        /** Outcomes are re-read this far back, so one committed late by another replica is not missed. */
        @WithDefault("15s")
        Duration lookBack();
    }

    /** Offer freshness. */
    interface Offer {
        /** An offer whose provider snapshot is older than this is shown {@code stale: true}. */
        @WithDefault("2m")
        Duration staleAfter();
    }

    /** Snapshot assembly. */
    interface Snapshot {
        /** Pages of a snapshot that never completes are dropped after this long. */
        @WithDefault("10m")
        Duration assemblyTimeout();
    }

    /** Search paging. */
    interface Search {
        @WithDefault("50")
        int defaultLimit();

        /** The largest page: the public API only asks for a positive limit, so "everything" must work. */
        @WithDefault("1000000")
        int maxLimit();
    }

    /** Failure tracking from provisioning outcomes. */
    interface Health {
        /** Failures older than this no longer count. */
        @WithDefault("1h")
        Duration window();

        /** How long a suppressed offer, machine or provider+GPU type stays out of search. */
        @WithDefault("30m")
        Duration cooldown();

        @WithDefault("3")
        int suppressOfferAfter();

        @WithDefault("3")
        int suppressMachineAfter();

        @WithDefault("6")
        int suppressGpuTypeAfter();
    }

    /** Template cache. */
    interface Templates {
        /** A cached template list older than this is refreshed in the background. */
        @WithDefault("5m")
        Duration refreshAfter();
    }
}
