package io.gpubroker.session.saga;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.TerminateInstance;
import java.util.ArrayList;
import java.util.List;

/**
 * What one saga step decided: events and commands to append to the outbox (in the same
 * transaction as the session change) and an optional side effect to run afterwards.
 */
public final class Step {

    /** Work that must happen outside the transaction (blocking SSH or HTTP). */
    public enum Action {
        NONE,
        VERIFY_SSH,
        PROBE_GPU,
        LAUNCH_APP,
        CHECK_APP,
        DROP_ACCESS
    }

    private final List<BrokerEvent> out = new ArrayList<>();
    private final List<TerminateInstance> unwanted = new ArrayList<>();
    private Action action = Action.NONE;

    public Step emit(BrokerEvent e) {
        out.add(e);
        return this;
    }

    /**
     * Destroys an instance nobody wants (created for an earlier attempt, or after the session ended):
     * the command goes out now, and the instance is remembered as an orphan so the reconciliation
     * commands it again, whatever its age, until the provider stops listing it.
     */
    public Step destroyUnwanted(TerminateInstance t) {
        out.add(t);
        unwanted.add(t);
        return this;
    }

    public List<TerminateInstance> unwanted() {
        return unwanted;
    }

    public Step then(Action a) {
        this.action = a;
        return this;
    }

    public List<BrokerEvent> events() {
        return out;
    }

    public Action action() {
        return action;
    }

    @SuppressWarnings("unchecked")
    public <T extends BrokerEvent> List<T> of(Class<T> type) {
        return (List<T>) out.stream().filter(type::isInstance).toList();
    }
}
