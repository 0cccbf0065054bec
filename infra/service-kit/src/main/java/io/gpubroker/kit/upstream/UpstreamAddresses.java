package io.gpubroker.kit.upstream;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code BROKER_SERVICES_<SERVICE>_URL} into SmallRye Stork services, so an internal REST client
 * ({@code stork://<service>}) spreads its calls over every replica and stops choosing one that fails
 * (least-response-time). The value is one base URL or a comma-separated list; for provider-gateway an
 * entry may be {@code <provider>=<url>}: those form the Stork service {@code provider-gateway-<provider>}
 * (one gateway process per provider, docs/adr/0014) and are listed in
 * {@value #PER_PROVIDER_PROPERTY}. Unset, the defaults in each service's application.properties hold.
 */
public class UpstreamAddresses implements ConfigSource {
    /** The services the broker's own processes call. */
    public static final List<String> SERVICES =
            List.of("inventory-service", "session-service", "billing-service", "provider-gateway");

    /** Providers that have a gateway of their own (comma-separated), for clients that route by provider. */
    public static final String PER_PROVIDER_PROPERTY = "broker.services.provider-gateway.per-provider";

    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final Map<String, String> properties;

    public UpstreamAddresses() {
        this(UpstreamAddresses::configured);
    }

    UpstreamAddresses(Function<String, String> lookup) {
        this.properties = properties(lookup);
    }

    private static String configured(String service) {
        String property = System.getProperty("broker.services." + service + ".url");
        if (property != null) {
            return property;
        }
        return System.getenv(
                "BROKER_SERVICES_" + service.toUpperCase(Locale.ROOT).replace('-', '_') + "_URL");
    }

    static Map<String, String> properties(Function<String, String> lookup) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String service : SERVICES) {
            String value = lookup.apply(service);
            if (value == null || value.isBlank()) {
                continue;
            }
            Map<String, List<URI>> groups = new LinkedHashMap<>();
            for (String entry : value.split(",")) {
                entry = entry.trim();
                if (entry.isEmpty()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                String group = service;
                if (eq > 0 && PROVIDER.matcher(entry.substring(0, eq)).matches()) {
                    group = service + "-" + entry.substring(0, eq);
                    entry = entry.substring(eq + 1).trim();
                }
                groups.computeIfAbsent(group, g -> new ArrayList<>()).add(parse(service, entry));
            }
            Set<String> perProvider = new TreeSet<>();
            groups.forEach((group, uris) -> {
                stork(out, group, uris);
                if (!group.equals(service)) {
                    perProvider.add(group.substring(service.length() + 1));
                }
            });
            if (!perProvider.isEmpty()) {
                out.put("broker.services." + service + ".per-provider", String.join(",", perProvider));
            }
        }
        return out;
    }

    private static URI parse(String service, String url) {
        try {
            URI u = URI.create(url);
            if (u.getHost() == null || u.getScheme() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the URL of " + service + " is not a base URL such as http://host:port: '" + url + "'", e);
        }
    }

    private static void stork(Map<String, String> out, String name, List<URI> uris) {
        String prefix = "quarkus.stork." + name + ".";
        List<String> addresses = new ArrayList<>();
        boolean secure = false;
        for (URI u : uris) {
            boolean https = "https".equalsIgnoreCase(u.getScheme());
            secure |= https;
            int port = u.getPort() > 0 ? u.getPort() : https ? 443 : 80;
            addresses.add(u.getHost() + ":" + port);
        }
        out.put(prefix + "service-discovery.type", "static");
        out.put(prefix + "service-discovery.address-list", String.join(",", addresses));
        out.put(prefix + "service-discovery.secure", String.valueOf(secure));
        out.put(prefix + "load-balancer.type", "least-response-time");
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "broker-upstream-addresses";
    }

    /** Above application.properties (250), below the environment (300): an explicit QUARKUS_STORK_* wins. */
    @Override
    public int getOrdinal() {
        return 275;
    }
}
