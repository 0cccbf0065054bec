package io.gpubroker.sim.tensordock;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A TensorDock location (datacenter): the unit of location-based deployment. */
record Location(
        String id,
        String key,
        String city,
        String stateprovince,
        String country,
        int tier,
        String organization,
        String organizationName,
        int networkSpeedGbps) {

    private static final Map<String, String[]> PLACES = Map.ofEntries(
            Map.entry("US-West", new String[] {"Los Angeles", "California", "United States"}),
            Map.entry("US-East", new String[] {"Ashburn", "Virginia", "United States"}),
            Map.entry("US-Central", new String[] {"Joplin", "Missouri", "United States"}),
            Map.entry("Canada", new String[] {"Winnipeg", "Manitoba", "Canada"}),
            Map.entry("Germany", new String[] {"Frankfurt", "Hesse", "Germany"}),
            Map.entry("Netherlands", new String[] {"Amsterdam", "North Holland", "Netherlands"}),
            Map.entry("Finland", new String[] {"Helsinki", "Uusimaa", "Finland"}),
            Map.entry("Norway", new String[] {"Oslo", "Oslo", "Norway"}),
            Map.entry("France", new String[] {"Paris", "Ile-de-France", "France"}),
            Map.entry("Japan", new String[] {"Tokyo", "Tokyo", "Japan"}),
            Map.entry("Singapore", new String[] {"Singapore", "Singapore", "Singapore"}),
            Map.entry("Sweden", new String[] {"Stockholm", "Stockholm County", "Sweden"}));

    private static final List<String> HOSTS =
            List.of("Hydra Host", "Polar Compute", "Northwind DC", "Atlas Racks", "Bluefin Cloud", "Kestrel Data");

    static Location of(String catalogLocation, int ordinal, long seed) {
        String[] place =
                PLACES.getOrDefault(catalogLocation, new String[] {catalogLocation, catalogLocation, catalogLocation});
        String org = HOSTS.get(ordinal % HOSTS.size());
        return new Location(
                uuid("location", seed, catalogLocation),
                catalogLocation,
                place[0],
                place[1],
                place[2],
                1 + ordinal % 3,
                uuid("organization", seed, org),
                org,
                ordinal % 2 == 0 ? 10 : 25);
    }

    static String uuid(String kind, long seed, String name) {
        return UUID.nameUUIDFromBytes(("tensordock-" + kind + "-" + seed + "-" + name).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
