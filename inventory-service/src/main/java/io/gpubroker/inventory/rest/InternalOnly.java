package io.gpubroker.inventory.rest;

import io.gpubroker.kit.security.InternalTokenFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

/** Only the gateway and the other services may call inventory-service: every REST call needs the internal token. */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class InternalOnly extends InternalTokenFilter {}
