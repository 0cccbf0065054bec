package io.gpubroker.session.effects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.kit.vertx.SafeContext;
import io.gpubroker.session.app.AppLaunch;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionSteps;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Health where the user will reach the app, then — for images serving the OpenAI API with a model —
 * a one-token completion: a host whose CUDA is older than the offer said answers health and fails
 * on the first inference.
 */
@ApplicationScoped
public class AppHealthProbe {
    private static final Logger LOG = Logger.getLogger(AppHealthProbe.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SessionConfig cfg;
    private final ProvisionSessionSaga saga;
    private final SessionSteps steps;
    private final io.vertx.core.Vertx vertx;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public AppHealthProbe(SessionConfig cfg, ProvisionSessionSaga saga, SessionSteps steps, io.vertx.core.Vertx vertx) {
        this.cfg = cfg;
        this.saga = saga;
        this.steps = steps;
        this.vertx = vertx;
    }

    /** What one look at the app found: healthy, not yet (keep asking), or broken for good. */
    record AppProbe(boolean healthy, boolean broken, String detail) {}

    void check(Session s) {
        String id = s.id;
        String endpoint = saga.appEndpoint(s);
        if (endpoint == null) {
            return;
        }
        String model = AppLaunch.speaksOpenAi(s.terms.dockerImage) ? s.terms.modelId : null;
        Uni.createFrom()
                .item(() -> probe(endpoint, model))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(p -> SafeContext.run(
                        vertx,
                        () -> steps.apply(
                                id,
                                (sess, now) -> p.broken()
                                        ? saga.onAppBroken(sess, p.detail(), now)
                                        : saga.onAppHealth(sess, endpoint, p.healthy(), p.detail(), now))))
                .subscribe()
                .with(x -> {}, e -> LOG.warnf("app health of %s: %s", id, e.getMessage()));
    }

    AppProbe probe(String endpoint, String model) {
        String url = endpoint + cfg.app().healthPath();
        try {
            var health = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(cfg.app().healthRequestTimeout())
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() != 200) {
                return new AppProbe(
                        false,
                        false,
                        url + " answered " + health.statusCode()
                                + (health.body().isBlank() ? "" : " " + Texts.tail(health.body())));
            }
            if (model == null) {
                return new AppProbe(true, false, null);
            }
            var done = http.send(
                    HttpRequest.newBuilder(URI.create(endpoint + "/v1/completions"))
                            .timeout(cfg.app().healthRequestTimeout())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(completion(model)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (done.statusCode() == 200) {
                return new AppProbe(true, false, null);
            }
            String detail = "a one-token completion of " + model + " answered " + done.statusCode()
                    + (done.body().isBlank() ? "" : " " + Texts.tail(done.body()));
            // 5xx after health 200 is the server failing to run the model, 4xx the model not being served
            return new AppProbe(
                    false, done.statusCode() >= 400 && done.statusCode() != 429 && done.statusCode() != 503, detail);
        } catch (IOException | IllegalArgumentException e) {
            return new AppProbe(
                    false,
                    false,
                    url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AppProbe(false, false, url + ": interrupted");
        }
    }

    private static String completion(String model) throws JsonProcessingException {
        return JSON.writeValueAsString(Map.of("model", model, "prompt", "ping", "max_tokens", 1));
    }
}
