package io.gpubroker.session.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A page of {@code GET /inventory}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OfferPage(
        @JsonProperty("offers") List<Offer> offers,
        @JsonProperty("total") int total) {}
