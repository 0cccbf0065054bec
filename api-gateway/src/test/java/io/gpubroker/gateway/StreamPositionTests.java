package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.gateway.events.StreamPosition;
import io.gpubroker.kit.rest.ApiException;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The SSE event id: the offset vector of a stream, written and read back exactly. */
class StreamPositionTests {

    @Test
    void anIdReadsBackAsTheSamePositionOnEveryPartition() {
        StreamPosition p = StreamPosition.of(Map.of(
                new TopicPartition("cost.events", 2), 9L,
                new TopicPartition("session.events", 10), 3L,
                new TopicPartition("session.events", 0), 41L,
                new TopicPartition("budget.events", 0), 0L));
        assertThat(p.encode()).isEqualTo("s0-41.s10-3.c2-9.b0-0");
        assertThat(StreamPosition.parse(p.encode()).asMap()).isEqualTo(p.asMap());
    }

    @Test
    void examiningARecordMovesOnlyItsPartitionPastIt() {
        StreamPosition p = StreamPosition.of(
                Map.of(new TopicPartition("session.events", 0), 5L, new TopicPartition("cost.events", 0), 7L));
        p.examined(new TopicPartition("session.events", 0), 5);
        assertThat(p.encode()).isEqualTo("s0-6.c0-7");
        assertThat(p.next(new TopicPartition("budget.events", 1))).isNull();
    }

    @Test
    void anythingButAMintedIdIsABadRequest() {
        for (String bad : new String[] {
            "", "s0", "s0-", "x0-1", "s0-1.", "s0-1..c0-2", "s0-1.s0-2", "s-1-2", "s0-1234567890123456789", "s0-1\nc0-2"
        }) {
            assertThatThrownBy(() -> StreamPosition.parse(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }
}
