package io.gpubroker.session.timer;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready (503) until the startup sweep resumed every in-flight saga. */
@Readiness
@ApplicationScoped
public class SweepReadiness implements HealthCheck {
    private final StartupSweep sweep;

    public SweepReadiness(StartupSweep sweep) {
        this.sweep = sweep;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("startup-sweep")
                .status(sweep.done())
                .withData("sweep", sweep.summary())
                .build();
    }
}
