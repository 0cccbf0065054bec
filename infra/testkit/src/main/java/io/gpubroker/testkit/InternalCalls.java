package io.gpubroker.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP GETs with a chosen internal token (or none), for tests of the token check itself. */
public final class InternalCalls {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private InternalCalls() {}

    /** GET {@code base + path} carrying {@code token} in the internal header, or no header when null. */
    public static HttpResponse<String> get(String base, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(15))
                .GET();
        if (token != null) {
            b.header(TestStack.INTERNAL_HEADER, token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
