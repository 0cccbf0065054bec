package io.gpubroker.gateway.consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Consumers by id. */
@ApplicationScoped
public class ConsumerRepository implements PanacheRepositoryBase<Consumer, String> {
}
