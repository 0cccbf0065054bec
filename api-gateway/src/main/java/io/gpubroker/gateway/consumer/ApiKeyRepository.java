package io.gpubroker.gateway.consumer;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

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
