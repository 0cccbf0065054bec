package io.gpubroker.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Kafka client security comes from the global {@code kafka.*} config (env {@code KAFKA_*}): the
 * test profile's {@code kafka.security.protocol} / {@code kafka.sasl.mechanism} reach every consumer.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class KafkaSecurityConfigTests {
    @Inject
    KafkaClientService kafka;

    @Test
    void globalSecuritySettingsReachEveryConsumerChannel() {
        assertThat(kafka.getConsumerChannels()).contains("session-events");
        for (String channel : kafka.getConsumerChannels()) {
            var config = kafka.getConsumer(channel).configuration();
            assertThat(config.get("security.protocol")).as(channel).hasToString("PLAINTEXT");
            assertThat(config.get("sasl.mechanism")).as(channel).hasToString("SCRAM-SHA-512");
        }
    }
}
