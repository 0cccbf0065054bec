package io.gpubroker.kit.rest;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Moves the "is this request URI parseable" check from Quarkus to {@link HttpErrors}. Quarkus
 * refuses a URI that {@link java.net.URI} cannot parse (a raw {@code {}, {@code |}, a space) with a
 * 400 that has no body, before any application code runs; its only switch is the system property
 * {@value #PROPERTY}, read when the HTTP recorder class loads. Config sources load before that in
 * every launch mode (packaged jar, dev, tests), so this one sets the switch and provides no values;
 * {@link HttpErrors} then refuses the same URIs with the JSON error shape.
 */
public class UriCheckSwitch implements ConfigSource {
    static final String PROPERTY = "vertx.disableURIValidation";

    public UriCheckSwitch() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public String getValue(String propertyName) {
        return null;
    }

    @Override
    public String getName() {
        return "broker-uri-check-switch";
    }
}
