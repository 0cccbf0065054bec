package io.gpubroker.provider.rest;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

import io.gpubroker.kit.security.InternalTokenFilter;

/** Only the gateway and the other services may call provider-gateway: every REST call needs the internal token. */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class InternalOnly extends InternalTokenFilter {
}
