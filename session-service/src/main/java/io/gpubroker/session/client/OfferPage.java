package io.gpubroker.session.client;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A page of {@code GET /inventory}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OfferPage(@JsonProperty("offers") List<Offer> offers, @JsonProperty("total") int total) {
}
