package io.gpubroker.testkit;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;

/**
 * Every RestAssured call of a {@code @QuarkusTest} carries the internal token, as the gateway's
 * calls do; tests of the refusal itself use a plain HTTP client.
 */
public class InternalTokenHeader implements QuarkusTestBeforeEachCallback {
    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader(TestStack.INTERNAL_HEADER, TestStack.INTERNAL_TOKEN).build();
    }
}
