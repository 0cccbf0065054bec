package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wallet routes: the balance and the transaction list (the billing truth). */
final class RackrrWalletRoutes {

    private final RackrrSim sim;

    RackrrWalletRoutes(RackrrSim sim) {
        this.sim = sim;
    }

    void balance(RoutingContext ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        sim.fields.put(m, "balance", sim.wallet.balance(sim.vms(), sim.now()));
        sim.fields.put(m, "currency", "USD");
        sim.fields.put(m, "updated_at", RackrrViews.iso(sim.now()));
        json(ctx, 200, m);
    }

    void transactions(RoutingContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Wallet.Transaction t : sim.wallet.transactions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            sim.fields.put(m, "id", t.id());
            sim.fields.put(m, "amount", t.amount());
            sim.fields.put(m, "type", t.type());
            sim.fields.put(m, "description", t.description());
            sim.fields.put(m, "vm_id", t.vmId());
            sim.fields.put(m, "currency", "USD");
            sim.fields.put(m, "created_at", RackrrViews.iso(t.createdAt()));
            out.add(m);
        }
        json(ctx, 200, out);
    }
}
