package io.gpubroker.gateway.consumer;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Consumers by id. */
@ApplicationScoped
public class ConsumerRepository implements PanacheRepositoryBase<Consumer, String> {}
