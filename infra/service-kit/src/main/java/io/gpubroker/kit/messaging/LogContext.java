package io.gpubroker.kit.messaging;

import io.gpubroker.contracts.BrokerEvent;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.MDC;

/**
 * Puts what an event says about itself into the log context (JSON logs' {@code mdc}):
 * {@code session_id}, {@code consumer_id} and {@code provider}, read from the event record's
 * components of those names where it has them. Keys it does not have are removed, so a worker
 * thread never carries the previous message's ids into the next one.
 */
public final class LogContext {
    /** The MDC keys and the record components they come from. */
    private static final Map<String, String> KEYS =
            Map.of("session_id", "sessionId", "consumer_id", "consumerId", "provider", "provider");

    private static final ClassValue<Map<String, Method>> ACCESSORS = new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            Map<String, Method> out = new LinkedHashMap<>();
            if (type.isRecord()) {
                for (RecordComponent c : type.getRecordComponents()) {
                    KEYS.forEach((key, component) -> {
                        if (component.equals(c.getName()) && c.getType() == String.class) {
                            out.put(key, c.getAccessor());
                        }
                    });
                }
            }
            return out;
        }
    };

    private LogContext() {}

    /** Sets the context of {@code event} (and clears the keys it lacks). */
    public static void of(BrokerEvent event) {
        Map<String, Method> accessors = ACCESSORS.get(event.getClass());
        for (String key : KEYS.keySet()) {
            Object v = null;
            Method m = accessors.get(key);
            if (m != null) {
                try {
                    v = m.invoke(event);
                } catch (ReflectiveOperationException e) {
                    v = null;
                }
            }
            if (v == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, v);
            }
        }
    }

    /**
     * Clears the event keys for work over many events at once (a batch has no one session), so
     * nothing logged there is attributed to whichever event was decoded last; returns {@code batch}.
     */
    public static <T> T none(T batch) {
        KEYS.keySet().forEach(MDC::remove);
        return batch;
    }

    /** Sets one key (a REST call that knows its session or consumer). */
    public static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
