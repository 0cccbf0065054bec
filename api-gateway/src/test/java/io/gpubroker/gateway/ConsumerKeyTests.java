package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Consumers and keys: shown once, stored as a hash, rotated, revoked. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class ConsumerKeyTests {

    @Test
    void aCreatedKeyIsShownOnceAndOnlyItsHashIsStored() throws Exception {
        Api.Team t = Api.newTeam("hash");
        assertThat(t.key()).startsWith("gbk_" + t.keyId() + "_");
        var pg = TestStack.get().postgres();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                PreparedStatement ps =
                        c.prepareStatement("select key_hash from gateway.api_keys where consumer_id = ?")) {
            ps.setString(1, t.id());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                String stored = rs.getString(1);
                assertThat(stored)
                        .doesNotContain(t.key().substring(22))
                        .isEqualTo(HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256")
                                        .digest(t.key().getBytes(StandardCharsets.UTF_8))));
            }
        }
        Response listed = Api.admin().get("/api/v1/consumers");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.asString()).contains(t.id()).doesNotContain(t.key());
        assertThat(listed.<List<String>>path("consumers.consumer_id")).contains(t.id());
        assertThat(t.spec().get("/api/v1/consumers/" + t.id()).<List<String>>path("keys.key_id"))
                .containsExactly(t.keyId());
    }

    @Test
    void aRotatedKeyWorksBesideTheOldOneUntilTheOldOneIsRevoked() {
        Api.Team t = Api.newTeam("rotate");
        Response rotated = Api.admin().post("/api/v1/consumers/" + t.id() + "/keys");
        assertThat(rotated.statusCode()).isEqualTo(201);
        String newKey = rotated.path("api_key");
        assertThat(newKey).isNotEqualTo(t.key());
        assertThat(Api.as(newKey).get("/api/v1/offer-health").statusCode()).isEqualTo(200);
        assertThat(t.spec().get("/api/v1/offer-health").statusCode()).isEqualTo(200);

        Response revoked = Api.admin().delete("/api/v1/consumers/" + t.id() + "/keys/" + t.keyId());
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(revoked.<Boolean>path("active")).isFalse();
        ErrorShapeTests.assertErrorShape(t.spec().get("/api/v1/offer-health"), 401);
        assertThat(Api.as(newKey).get("/api/v1/offer-health").statusCode()).isEqualTo(200);
        assertThat(Api.admin()
                        .delete("/api/v1/consumers/" + t.id() + "/keys/" + t.keyId())
                        .statusCode())
                .as("revoking twice is harmless")
                .isEqualTo(200);
        Api.Team other = Api.newTeam("other");
        assertThat(Api.admin()
                        .delete("/api/v1/consumers/" + other.id() + "/keys/" + t.keyId())
                        .statusCode())
                .as("a key of another consumer")
                .isEqualTo(404);
    }

    @Test
    void consumersAreValidatedAndUnique() {
        String id = "uniq-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(Api.send(Api.admin(), "POST", "/api/v1/consumers", "{\"consumer_id\":\"" + id + "\"}")
                        .statusCode())
                .isEqualTo(201);
        ErrorShapeTests.assertErrorShape(
                Api.send(Api.admin(), "POST", "/api/v1/consumers", "{\"consumer_id\":\"" + id + "\"}"), 409);
        ErrorShapeTests.assertErrorShape(Api.send(Api.admin(), "POST", "/api/v1/consumers", "{}"), 400);
        ErrorShapeTests.assertErrorShape(
                Api.send(Api.admin(), "POST", "/api/v1/consumers", "{\"consumer_id\":\"Bad Id!\"}"), 400);
        String name = "ML Team " + UUID.randomUUID().toString().substring(0, 6);
        Response byName = Api.send(Api.admin(), "POST", "/api/v1/consumers", "{\"name\":\"" + name + "\"}");
        assertThat(byName.statusCode()).isEqualTo(201);
        assertThat(byName.<String>path("consumer_id"))
                .isEqualTo(name.toLowerCase().replace(' ', '-'));
        ErrorShapeTests.assertErrorShape(Api.admin().get("/api/v1/consumers/no-such-" + id), 404);
    }
}
