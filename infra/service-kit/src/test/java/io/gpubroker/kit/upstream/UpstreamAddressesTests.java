package io.gpubroker.kit.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How BROKER_SERVICES_<SERVICE>_URL values become Stork services. */
class UpstreamAddressesTests {

    @Test
    void oneUrlOrAListOfReplicasBecomesAStaticStorkService() {
        Map<String, String> p = UpstreamAddresses.properties(Map.of(
                "billing-service", "http://127.0.0.1:8083, http://127.0.0.1:8093",
                "inventory-service", "https://inventory.internal")::get);
        assertThat(p)
                .containsEntry("quarkus.stork.billing-service.service-discovery.type", "static")
                .containsEntry(
                        "quarkus.stork.billing-service.service-discovery.address-list", "127.0.0.1:8083,127.0.0.1:8093")
                .containsEntry("quarkus.stork.billing-service.service-discovery.secure", "false")
                .containsEntry("quarkus.stork.billing-service.load-balancer.type", "least-response-time")
                .containsEntry(
                        "quarkus.stork.inventory-service.service-discovery.address-list", "inventory.internal:443")
                .containsEntry("quarkus.stork.inventory-service.service-discovery.secure", "true")
                .doesNotContainKey("quarkus.stork.session-service.service-discovery.type");
    }

    @Test
    void providerEntriesFormAServicePerProvider() {
        Map<String, String> p = UpstreamAddresses.properties(Map.of(
                "provider-gateway",
                "vastai=http://127.0.0.1:8130,rackrr=http://127.0.0.1:8132,rackrr=http://127.0.0.1:8142")::get);
        assertThat(p)
                .containsEntry("quarkus.stork.provider-gateway-vastai.service-discovery.address-list", "127.0.0.1:8130")
                .containsEntry(
                        "quarkus.stork.provider-gateway-rackrr.service-discovery.address-list",
                        "127.0.0.1:8132,127.0.0.1:8142")
                .containsEntry(UpstreamAddresses.PER_PROVIDER_PROPERTY, "rackrr,vastai")
                .doesNotContainKey("quarkus.stork.provider-gateway.service-discovery.type");
    }

    @Test
    void somethingThatIsNotABaseUrlNamesTheService() {
        assertThatThrownBy(() -> UpstreamAddresses.properties(Map.of("session-service", "127.0.0.1:8082")::get))
                .hasMessageContaining("session-service")
                .hasMessageContaining("127.0.0.1:8082");
    }
}
