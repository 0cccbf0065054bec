package io.gpubroker.testkit;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The one test profile of every service module, so Quarkus boots once per module. There is no
 * Docker engine on our machines, so Dev Services stay off and the real stack is used instead.
 */
public class BrokerTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        // kafka.* is the global client config of every channel: a SASL mechanism (unused over PLAINTEXT)
        // lets KafkaSecurityConfigTests see it reach each consumer, as a real SASL/TLS setting would
        return Map.of(
                "quarkus.devservices.enabled",
                "false",
                "quarkus.http.test-port",
                "0",
                "kafka.security.protocol",
                "PLAINTEXT",
                "kafka.sasl.mechanism",
                "SCRAM-SHA-512");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(StackResource.class));
    }
}
