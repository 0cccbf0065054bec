package io.gpubroker.gateway.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Who may call a resource method; without it any authenticated caller may. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Access {

    Level value();

    /** The access levels of the public API. */
    enum Level {
        /** no API key: health, docs, and the agent heartbeat (authenticated by its session token). */
        PUBLIC,
        /** the admin key (or anonymous local mode). */
        ADMIN,
        /** {@code /metrics}: public, admin or off, as {@code broker.metrics.access} says. */
        METRICS
    }
}
