package io.gpubroker.kit.purge;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long inbox and outbox rows are kept ({@code broker.purge.*}, env {@code BROKER_PURGE_*}). */
@ConfigMapping(prefix = "broker.purge")
public interface PurgeConfig {
    /** Processed-message ids older than this are forgotten: a redelivery after that is not expected. */
    @WithDefault("P7D")
    Duration processedMessagesRetention();

    /** Outbox rows older than this are deleted: Debezium reads the WAL, not the table. */
    @WithDefault("P1D")
    Duration outboxRetention();

    /** Rows deleted per statement (one short transaction each). */
    @WithDefault("5000")
    int batchSize();

    /** Batches per table and run, so one run cannot hold the database for long. */
    @WithDefault("100")
    int maxBatches();
}
