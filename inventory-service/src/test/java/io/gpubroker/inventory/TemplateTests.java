package io.gpubroker.inventory;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Templates from (a stand-in for) provider-gateway: listing, lookup, compatibility, the search filter, outages. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
@QuarkusTestResource(FakeGateway.class)
class TemplateTests {
    static final String OLLAMA = "a8a44c7363cbca20056020397e3bf072";
    static final String VLLM = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    static final String CUDA = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    @Inject
    OfferCatalog catalog;

    /** Vast offers from the simulators' catalog plus two with known CUDA/VRAM; returns all of them. */
    List<NormalisedOffer> vastCatalog() {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<NormalisedOffer> offers = new ArrayList<>(Feed.fromCatalog("vastai", "vastai".hashCode(), 400, "", at));
        offers.add(Feed.offer("vastai", "tpl-old", "RTX 3090", 1, 24, "0.21", "US-West", 0.99, 12.4, "t1", at));
        offers.add(Feed.offer("vastai", "tpl-new", "H100 80GB", 1, 80, "2.20", "US-East", 0.99, 12.9, "t2", at));
        Catalogs.awaitApplied(catalog, "vastai", Feed.snapshot("vastai", at, offers, 200));
        Catalogs.awaitApplied(
                catalog,
                "rackrr",
                Feed.snapshot(
                        "rackrr",
                        at,
                        List.of(Feed.offer("rackrr", "tpl-r", "L4", 1, 24, "0.30", "US-West", 0.9, null, "r1", at)),
                        10));
        return offers;
    }

    @Test
    void templatesAreListedFilteredByNameAndFoundByHash() {
        FakeGateway.down = false;
        given().get("/templates")
                .then()
                .statusCode(200)
                .body("count", equalTo(5))
                .body("templates.size()", equalTo(5))
                .body("note", notNullValue())
                .body("templates[0].extra_filters", notNullValue());
        given().queryParam("name", "OLL")
                .get("/templates")
                .then()
                .statusCode(200)
                .body("count", equalTo(1))
                .body("templates[0].hash_id", equalTo(OLLAMA));
        given().queryParam("name", "nothing-like-this")
                .get("/templates")
                .then()
                .statusCode(200)
                .body("count", equalTo(0));
        given().get("/templates/" + OLLAMA)
                .then()
                .statusCode(200)
                .body("name", equalTo("Ollama"))
                .body("recommended_disk_space", equalTo(32));
        given().get("/templates/ffffffffffffffffffffffffffffffff")
                .then()
                .statusCode(404)
                .body("error", notNullValue())
                .body("request_id", notNullValue());
        given().queryParam("name", " ")
                .get("/templates")
                .then()
                .statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("'name'"));
    }

    @Test
    void compatibleTemplatesApplyEachTemplatesExtraFilters() {
        FakeGateway.down = false;
        vastCatalog();
        List<String> old = given().get("/inventory/vastai-tpl-old/compatible-templates")
                .then()
                .statusCode(200)
                .body("offer_id", equalTo("vastai-tpl-old"))
                .extract()
                .jsonPath()
                .getList("compatible_templates.name", String.class);
        assertThat(old).containsExactlyInAnyOrder("Ollama", "PyTorch (Vast)", "Stable Diffusion WebUI (legacy)");
        given().get("/inventory/vastai-tpl-new/compatible-templates")
                .then()
                .statusCode(200)
                .body("count", equalTo(5));
        given().get("/inventory/rackrr-tpl-r/compatible-templates")
                .then()
                .statusCode(200)
                .body("count", equalTo(0))
                .body("note", org.hamcrest.Matchers.containsString("Vast.ai-only"));
        given().get("/inventory/nope/compatible-templates").then().statusCode(404);
    }

    @Test
    void theTemplateFilterKeepsOnlyVastOffersTheTemplateFits() {
        FakeGateway.down = false;
        List<NormalisedOffer> vast = vastCatalog();
        long fit = vast.stream()
                .filter(o -> o.cudaVersion() != null && o.cudaVersion() >= 12.6 && o.vramGb() * 1024 >= 24000)
                .count();
        JsonPath body = given().queryParam("template_hash_id", VLLM)
                .queryParam("limit", 1000)
                .get("/inventory")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("total")).isEqualTo((int) fit);
        assertThat(body.getList("offers.provider", String.class)).containsOnly("vastai");
        assertThat(body.getList("offers.cuda_version", Float.class)).allMatch(c -> c >= 12.6f);
        given().queryParam("template_hash_id", CUDA)
                .queryParam("provider", "rackrr")
                .get("/inventory")
                .then()
                .statusCode(200)
                .body("total", equalTo(0));
    }

    @Test
    void whenTheGatewayIsDownTemplatesAreServedFromTheCacheWithANote() {
        FakeGateway.down = false;
        given().get("/templates").then().statusCode(200).body("count", equalTo(5));
        FakeGateway.down = true;
        try {
            given().get("/templates")
                    .then()
                    .statusCode(200)
                    .body("count", equalTo(5))
                    .body("source", equalTo("cache"))
                    .body("gateway_error", notNullValue())
                    .body("fetched_at", notNullValue());
            given().get("/templates/" + OLLAMA).then().statusCode(200).body("name", equalTo("Ollama"));
        } finally {
            FakeGateway.down = false;
        }
    }
}
