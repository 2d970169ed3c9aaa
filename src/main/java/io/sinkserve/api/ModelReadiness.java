package io.sinkserve.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded and warmed, and until shutdown begins. */
@Readiness
@ApplicationScoped
class ModelReadiness implements HealthCheck {
    @Inject
    ServiceRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model").status(runtime.ready()).build();
    }
}
