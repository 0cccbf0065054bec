package io.gpubroker.inventory.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the durable catalog is loaded into memory (before that a search would show nothing). */
@Readiness
@ApplicationScoped
public class CatalogReadiness implements HealthCheck {
    private final CatalogService service;

    public CatalogReadiness(CatalogService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("catalog").status(service.isLoaded()).build();
    }
}
