package io.gpubroker.provider.config;

import java.util.List;

/** The five providers the gateway has adapters for. */
public final class ProviderNames {
    public static final List<String> ALL = List.of("vastai", "tensordock", "rackrr", "barrack", "trooper");

    private ProviderNames() {
    }
}
