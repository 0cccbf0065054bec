package io.gpubroker.kit.security;

import java.util.List;

/** A service's own secrets (a CDI bean), checked by {@link SecretGuard} at startup. */
public interface SecretSet {
    List<Secret> secrets();
}
