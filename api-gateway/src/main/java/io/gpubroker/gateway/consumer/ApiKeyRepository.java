package io.gpubroker.gateway.consumer;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** API keys by key id and by consumer. */
@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, String> {

    public Uni<List<ApiKey>> ofConsumer(String consumerId) {
        return list("consumerId = ?1 order by createdAt", consumerId);
    }

    public Uni<List<ApiKey>> ofConsumers(List<String> consumerIds) {
        return list("consumerId in ?1 order by createdAt", consumerIds);
    }
}
