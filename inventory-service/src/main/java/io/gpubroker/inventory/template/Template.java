package io.gpubroker.inventory.template;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Vast.ai template in the broker API shape. {@code extra_filters} is Vast's JSON string of offer
 * filters (an object is accepted too); {@code created_at} is passed through as the gateway sent it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Template(
        @JsonProperty("id") Long id,
        @JsonProperty("hash_id") String hashId,
        @JsonProperty("name") String name,
        @JsonProperty("image") String image,
        @JsonProperty("tag") String tag,
        @JsonProperty("env") String env,
        @JsonProperty("onstart") String onstart,
        @JsonProperty("runtype") String runtype,
        @JsonProperty("use_ssh") Boolean useSsh,
        @JsonProperty("ssh_direct") Boolean sshDirect,
        @JsonProperty("recommended") Boolean recommended,
        @JsonProperty("recommended_disk_space") Integer recommendedDiskSpace,
        @JsonProperty("extra_filters") JsonNode extraFilters,
        @JsonProperty("creator_id") Long creatorId,
        @JsonProperty("created_at") JsonNode createdAt,
        @JsonProperty("count_created") Long countCreated) {

    /** The short form {@code compatible-templates} lists. */
    public record Summary(
            @JsonProperty("hash_id") String hashId,
            @JsonProperty("name") String name,
            @JsonProperty("image") String image,
            @JsonProperty("recommended_disk_space") Integer recommendedDiskSpace) {}

    public Summary summary() {
        return new Summary(hashId, name, image, recommendedDiskSpace);
    }

    /** extra_filters as JSON text ("{}" when absent). */
    public String extraFiltersText() {
        if (extraFilters == null || extraFilters.isNull()) {
            return "{}";
        }
        return extraFilters.isTextual() ? extraFilters.asText() : extraFilters.toString();
    }
}
