package io.gpubroker.sim.trooper;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.trooper.TrooperRequests.body;
import static io.gpubroker.sim.trooper.TrooperRequests.integer;
import static io.gpubroker.sim.trooper.TrooperRequests.queryInt;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Template routes: the template list, install config, install add, delete and retry. */
final class TrooperTemplateRoutes {

    static final List<TrooperJson.Template> TEMPLATES = List.of(
            new TrooperJson.Template(
                    1,
                    "PyTorch Environment",
                    "Pre-configured PyTorch environment with CUDA support",
                    "Machine Learning",
                    true,
                    List.of(new TrooperJson.TemplateOption(1, "Python Version", "select", "3.9", "3.8,3.9,3.10"))),
            new TrooperJson.Template(
                    2, "TensorFlow Environment", "TensorFlow with GPU support", "Machine Learning", true, List.of()),
            new TrooperJson.Template(
                    3,
                    "Jupyter Lab",
                    "Jupyter Lab behind a password",
                    "Development",
                    true,
                    List.of(new TrooperJson.TemplateOption(2, "Port", "text", "8888", ""))),
            new TrooperJson.Template(4, "Ollama", "Ollama LLM server", "LLM", true, List.of()));

    private final TrooperSim sim;

    TrooperTemplateRoutes(TrooperSim sim) {
        this.sim = sim;
    }

    void templateConfig(RoutingContext ctx) {
        Order o = sim.byOrderId.get(queryInt(ctx, "order_id"));
        if (o == null || o.destroyed) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        List<TrooperJson.InstallConfigView> out = new ArrayList<>();
        for (Order.Install i : o.installs) {
            out.add(new TrooperJson.InstallConfigView(
                    i.id, i.templateId, i.templateName, i.status, i.readable(), i.config));
        }
        json(ctx, 200, new TrooperJson.TemplateConfig(true, out));
    }

    void templateAdd(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : sim.byOrderId.get(integer(b, "order_id"));
        if (o == null || o.destroyed) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        Integer tid = integer(b, "template_id");
        Optional<TrooperJson.Template> t =
                TEMPLATES.stream().filter(x -> tid != null && x.id() == tid).findFirst();
        if (t.isEmpty()) {
            sim.error(ctx, 400, "Invalid template.");
            return;
        }
        JsonObject config = b.getValue("config") instanceof JsonObject c ? c : new JsonObject();
        Order.Install i = install(o, t.get(), config.getMap());
        json(ctx, 200, new TrooperJson.InstallAdded(true, i.id, "Template installation queued"));
    }

    void templateDelete(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Integer id = b == null ? null : integer(b, "install_id");
        for (Order o : sim.byServerId.values()) {
            if (!o.destroyed && o.installs.removeIf(i -> id != null && i.id == id)) {
                json(ctx, 200, new TrooperJson.Message(true, "Template removal initiated"));
                return;
            }
        }
        sim.error(ctx, 403, TrooperSim.NOT_FOUND);
    }

    void templateRetry(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Integer id = b == null ? null : integer(b, "install_id");
        for (Order o : sim.byServerId.values()) {
            for (Order.Install i : o.installs) {
                if (!o.destroyed && id != null && i.id == id) {
                    scheduleInstall(o, i);
                    json(ctx, 200, new TrooperJson.Message(true, "Template installation retry initiated"));
                    return;
                }
            }
        }
        sim.error(ctx, 403, TrooperSim.NOT_FOUND);
    }

    Order.Install install(Order o, TrooperJson.Template t, Map<String, Object> config) {
        Order.Install i = new Order.Install(sim.takeInstallId(), t.id(), t.name(), new LinkedHashMap<>(config));
        o.installs.add(i);
        scheduleInstall(o, i);
        return i;
    }

    private void scheduleInstall(Order o, Order.Install i) {
        i.status = 0;
        sim.after(sim.timing("template-install", Duration.ofSeconds(30)), () -> {
            if (!o.destroyed) {
                i.status = 1;
            }
        });
    }
}
