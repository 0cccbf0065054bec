package io.gpubroker.gateway.proxy;

import io.gpubroker.gateway.config.GatewayConfig;
import io.netty.channel.ConnectTimeoutException;
import io.quarkus.runtime.Startup;
import io.smallrye.stork.Stork;
import io.smallrye.stork.api.ServiceDefinition;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.loadbalancer.leastresponsetime.LeastResponseTimeConfiguration;
import io.smallrye.stork.servicediscovery.staticlist.StaticConfiguration;
import io.smallrye.stork.utils.InMemoryAddressesBackend;
import io.vertx.core.Future;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The replicas of each service behind the gateway and which one takes a call, decided by SmallRye
 * Stork: a static list per service ({@code broker.services.<name>.url}, comma-separated URLs) and its
 * least-response-time load balancer, which spreads calls over the replicas and, once a replica fails,
 * scores it as if it had answered after {@code broker.upstream.error-penalty}, so it gets (almost) no
 * calls until that decays. A replica that refuses the connection has been sent nothing, so the call
 * moves to the next replica at once: a stopped replica costs a refused connect, never a failed request.
 */
@Startup
@ApplicationScoped
public class Replicas {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Map<Service, io.smallrye.stork.api.Service> services = new EnumMap<>(Service.class);
    /** The static lists never change, so they are resolved once rather than re-parsed on every call. */
    private final Map<Service, List<ServiceInstance>> instances = new EnumMap<>(Service.class);

    public Replicas(GatewayConfig.Services config, GatewayConfig.Upstream upstream) {
        // the Quarkus Stork extension (service-kit) has initialised Stork already; this is a no-op then
        Stork.initialize();
        Stork stork = Stork.getInstance();
        // Stork is one registry per JVM and a service cannot be redefined: each gateway instance (a test
        // profile restarts the application in the same JVM) defines its own names, beside the extension's
        // stork://<service> definitions for the REST clients of other modules
        String suffix = "@api-gateway-" + INSTANCES.incrementAndGet();
        define(stork, Service.INVENTORY, config.inventoryUrl(), upstream, suffix);
        define(stork, Service.SESSION, config.sessionUrl(), upstream, suffix);
        define(stork, Service.BILLING, config.billingUrl(), upstream, suffix);
    }

    private void define(Stork stork, Service s, String urls, GatewayConfig.Upstream upstream, String suffix) {
        String name = s.label() + suffix;
        stork.defineIfAbsent(
                name,
                ServiceDefinition.of(
                        new StaticConfiguration().withAddressList(String.join(",", urls(s, urls))),
                        // Stork reads durations as ISO-8601 without the leading "PT" ("1M", "0.5S")
                        new LeastResponseTimeConfiguration()
                                .withErrorPenalty(
                                        upstream.errorPenalty().toString().substring(2))));
        io.smallrye.stork.api.Service service = stork.getService(name);
        AtomicReference<List<ServiceInstance>> found = new AtomicReference<>();
        // the static list answers at once; nothing waits here
        service.getInstances().subscribe().with(found::set, e -> {
            throw new IllegalStateException(e);
        });
        if (found.get() == null || found.get().isEmpty()) {
            throw new IllegalStateException("no replica of " + s.label() + " configured");
        }
        services.put(s, service);
        instances.put(s, List.copyOf(found.get()));
    }

    /** The URLs of a comma-separated list, each {@code http://} or {@code https://}. */
    static List<String> urls(Service s, String list) {
        List<String> urls = Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(u -> !u.isEmpty())
                .toList();
        for (String u : urls) {
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
                throw new IllegalArgumentException("broker.services." + s.label() + ".url: '" + u
                        + "' is not an http:// or https:// URL (several replicas: a comma-separated list)");
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("broker.services." + s.label() + ".url is empty");
        }
        return urls;
    }

    /** Every configured replica of a service (for calls that go to all of them: the metrics' aggregation). */
    public List<ServiceInstance> all(Service s) {
        return instances.get(s);
    }

    /** How many replicas of a service are configured. */
    public int count(Service s) {
        return instances.get(s).size();
    }

    /**
     * Runs {@code attempt} on the replica Stork picks. When that replica refuses the connection
     * (nothing was sent), it is recorded as failed and the call moves to the next replica not yet
     * tried; any other outcome is the caller's, who reports the reply time with
     * {@link ServiceInstance#recordReply()} and a failure with {@link ServiceInstance#recordEnd}.
     */
    public <T> Future<T> onReplica(Service s, Function<ServiceInstance, Future<T>> attempt) {
        List<ServiceInstance> all = instances.get(s);
        return next(services.get(s), all.size() == 1 ? all : new ArrayList<>(all), attempt);
    }

    private <T> Future<T> next(
            io.smallrye.stork.api.Service service,
            List<ServiceInstance> left,
            Function<ServiceInstance, Future<T>> attempt) {
        ServiceInstance chosen;
        try {
            chosen = service.selectInstanceAndRecordStart(left, true);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return attempt.apply(chosen).recover(e -> {
            if (!refused(e)) {
                return Future.failedFuture(e);
            }
            chosen.recordEnd(e);
            if (left.size() <= 1) {
                return Future.failedFuture(e);
            }
            List<ServiceInstance> rest = new ArrayList<>(left);
            rest.removeIf(i -> i.getId() == chosen.getId());
            return next(service, rest, attempt);
        });
    }

    /** The connection was never made: the request did not leave, so another replica may take it. */
    public static boolean refused(Throwable e) {
        return e instanceof ConnectException || e instanceof ConnectTimeoutException;
    }

    @PreDestroy
    void close() {
        // the statically listed addresses Stork keeps per service name
        for (Service s : services.keySet()) {
            InMemoryAddressesBackend.clear(services.get(s).getServiceName());
        }
    }
}
