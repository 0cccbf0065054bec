package io.gpubroker.testkit;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Every RestAssured call of a {@code @QuarkusTest} carries the internal token, as the gateway's
 * calls do (a filter, so Quarkus's port and base URI stay as set); tests of the refusal itself use
 * a plain HTTP client.
 */
public class InternalTokenHeader implements QuarkusTestBeforeEachCallback {
    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(f -> f instanceof AddToken)) {
            RestAssured.filters(new AddToken());
        }
    }

    /** Adds the header unless the test set one itself. */
    static final class AddToken implements Filter {
        @Override
        public Response filter(
                FilterableRequestSpecification req, FilterableResponseSpecification res, FilterContext ctx) {
            if (!req.getHeaders().hasHeaderWithName(TestStack.INTERNAL_HEADER)) {
                req.header(TestStack.INTERNAL_HEADER, TestStack.INTERNAL_TOKEN);
            }
            return ctx.next(req, res);
        }
    }
}
