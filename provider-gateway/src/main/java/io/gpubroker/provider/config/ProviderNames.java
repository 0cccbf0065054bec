package io.gpubroker.provider.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The five providers the gateway has adapters for, and which of them this process serves. */
public final class ProviderNames {
    public static final List<String> ALL = List.of("vastai", "tensordock", "rackrr", "barrack", "trooper");
    /** The providers this process serves ({@code BROKER_GATEWAY_PROVIDERS=rackrr}); unset or blank: every enabled one. */
    public static final String SERVED = "broker.gateway.providers";

    /** The names in a {@link #SERVED} value (comma-separated); empty for "every enabled provider". */
    public static List<String> served(String value) {
        List<String> names = new ArrayList<>();
        if (value == null) {
            return names;
        }
        for (String n : value.split(",")) {
            String name = n.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!ALL.contains(name)) {
                throw new IllegalArgumentException(SERVED + " names " + name + ", not one of " + ALL);
            }
            names.add(name);
        }
        return names;
    }

    private ProviderNames() {}
}
