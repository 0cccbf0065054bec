package io.gpubroker.inventory.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.inventory.catalog.CatalogIndex;
import io.gpubroker.inventory.rest.InventoryResource.ProviderStatus;
import io.gpubroker.inventory.rest.InventoryResource.SearchResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Writes {@code GET /inventory} results as the REST layer's mapper would write a {@link SearchResult}
 * of {@link OfferView}s, byte for byte, without serialising each offer on each request: an offer's
 * fixed fields are serialised once per index (lazily, on first use, by the mapper itself, see
 * {@link JsonLayout}) and kept with its position; a page copies those bytes and fills in what
 * changes with the clock and the health overlay (confidence, age, staleness, suppression). The
 * providers' freshness block is re-serialised only when it changed.
 */
@ApplicationScoped
public class SearchJson {

    private static final List<String> OFFER_FIELDS =
            List.of(OfferView.CONFIDENCE, OfferView.AGE_SECONDS, OfferView.STALE, OfferView.SUPPRESSED);
    private static final List<String> RESULT_FIELDS = List.of(
            SearchResult.OFFERS,
            SearchResult.COUNT,
            SearchResult.TOTAL,
            SearchResult.LIMIT,
            SearchResult.OFFSET,
            SearchResult.PROVIDERS);
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    /** The per-offer JSON of one index, by position. */
    private record Memo(CatalogIndex index, AtomicReferenceArray<JsonLayout.Prepared> offers) {}

    /** The last providers block written. */
    private record ProvidersJson(Map<String, ProviderStatus> statuses, byte[] json) {}

    private final ObjectMapper mapper;
    private final JsonLayout offerLayout;
    /** Per hole of an offer, which value goes there: an index into {@link #OFFER_FIELDS}. */
    private final int[] offerHoles;

    private final JsonLayout.Prepared envelope;
    /** Per hole of the envelope, an index into {@link #RESULT_FIELDS}. */
    private final int[] envelopeHoles;

    private volatile Memo memo;
    private volatile ProvidersJson providersJson;

    public SearchJson(ObjectMapper mapper) {
        this.mapper = mapper;
        this.offerLayout = JsonLayout.of(mapper, OfferView.class, Set.copyOf(OFFER_FIELDS));
        this.offerHoles = offerLayout.dynamicNames().stream()
                .mapToInt(OFFER_FIELDS::indexOf)
                .toArray();
        JsonLayout resultLayout = JsonLayout.of(mapper, SearchResult.class, Set.copyOf(RESULT_FIELDS));
        this.envelope = resultLayout.prepare(new SearchResult(List.of(), 0, 0, 0, 0, CatalogIndex.ORDER, Map.of()));
        this.envelopeHoles = resultLayout.dynamicNames().stream()
                .mapToInt(RESULT_FIELDS::indexOf)
                .toArray();
    }

    /** The JSON of the result page {@code page} of {@code index}. */
    public byte[] write(
            CatalogIndex index, CatalogIndex.Page page, int limit, int offset, Map<String, ProviderStatus> providers) {
        Memo m = memo(index);
        List<CatalogIndex.Hit> hits = page.hits();
        JsonLayout.Prepared[] prepared = new JsonLayout.Prepared[hits.size()];
        int size = envelope.bytes().length + 64;
        for (int i = 0; i < prepared.length; i++) {
            prepared[i] = prepared(m, hits.get(i));
            size += prepared[i].bytes().length + 64;
        }
        byte[] providersBytes = providers(providers);
        Out out = new Out(size + providersBytes.length);
        byte[] env = envelope.bytes();
        int from = 0;
        for (int h = 0; h < envelopeHoles.length; h++) {
            int at = envelope.holes()[h];
            out.write(env, from, at - from);
            from = at;
            switch (envelopeHoles[h]) { // RESULT_FIELDS' order
                case 0 -> offers(out, hits, prepared);
                case 1 -> out.ascii(Integer.toString(hits.size()));
                case 2 -> out.ascii(Integer.toString(page.total()));
                case 3 -> out.ascii(Integer.toString(limit));
                case 4 -> out.ascii(Integer.toString(offset));
                case 5 -> out.write(providersBytes, 0, providersBytes.length);
                default -> throw new IllegalStateException("hole " + envelopeHoles[h]);
            }
        }
        out.write(env, from, env.length - from);
        return out.toArray();
    }

    private void offers(Out out, List<CatalogIndex.Hit> hits, JsonLayout.Prepared[] prepared) {
        out.write('[');
        for (int i = 0; i < prepared.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            CatalogIndex.Hit hit = hits.get(i);
            byte[] b = prepared[i].bytes();
            int[] holes = prepared[i].holes();
            int from = 0;
            for (int h = 0; h < holes.length; h++) {
                out.write(b, from, holes[h] - from);
                from = holes[h];
                // what the mapper writes for these types: Double.toString, decimal digits, true / false
                switch (offerHoles[h]) { // OFFER_FIELDS' order
                    case 0 -> out.ascii(Double.toString(hit.confidence()));
                    case 1 -> out.ascii(Long.toString(hit.ageMillis() / 1000));
                    case 2 -> out.write(hit.stale() ? TRUE : FALSE);
                    case 3 -> out.write(hit.suppressed() ? TRUE : FALSE);
                    default -> throw new IllegalStateException("hole " + offerHoles[h]);
                }
            }
            out.write(b, from, b.length - from);
        }
        out.write(']');
    }

    private Memo memo(CatalogIndex index) {
        Memo m = memo;
        if (m == null || m.index() != index) {
            m = new Memo(index, new AtomicReferenceArray<>(index.size()));
            memo = m; // two threads may both start one for a new index: one set of bytes is lost, nothing else
        }
        return m;
    }

    private JsonLayout.Prepared prepared(Memo m, CatalogIndex.Hit hit) {
        int p = hit.position();
        if (p < 0 || p >= m.offers().length() || m.index().offer(p) != hit.offer()) {
            return offerLayout.prepare(OfferView.of(hit)); // not from this index: not kept
        }
        JsonLayout.Prepared b = m.offers().get(p);
        if (b == null) {
            b = offerLayout.prepare(OfferView.of(hit));
            m.offers().set(p, b);
        }
        return b;
    }

    private byte[] providers(Map<String, ProviderStatus> statuses) {
        ProvidersJson last = providersJson;
        if (last != null && last.statuses().equals(statuses)) {
            return last.json();
        }
        try {
            byte[] json = mapper.writeValueAsBytes(statuses);
            providersJson = new ProvidersJson(statuses, json);
            return json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise provider statuses", e);
        }
    }

    /** A growable byte buffer. */
    private static final class Out {
        private byte[] buf;
        private int len;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void write(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        void write(byte[] b) {
            write(b, 0, b.length);
        }

        void write(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        /** {@code s} has only ASCII characters (numbers). */
        void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
        }

        byte[] toArray() {
            return len == buf.length ? buf : Arrays.copyOf(buf, len);
        }
    }
}
