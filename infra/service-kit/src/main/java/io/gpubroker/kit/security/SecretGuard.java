package io.gpubroker.kit.security;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Refuses to start a production launch ({@link LaunchMode#NORMAL}, the packaged jar) whose
 * secrets are missing, short or known defaults: the internal token of every service plus each
 * service's own {@link SecretSet}. Dev and test launches only warn (tests bring their own values).
 */
@ApplicationScoped
public class SecretGuard {
    private static final Logger LOG = Logger.getLogger(SecretGuard.class);

    private final Instance<SecretSet> sets;

    public SecretGuard(Instance<SecretSet> sets) {
        this.sets = sets;
    }

    void onStart(@Observes @Priority(1) StartupEvent event) {
        List<String> problems = problems();
        if (problems.isEmpty()) {
            return;
        }
        String message = "refusing to start, unsafe secrets: " + String.join("; ", problems);
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            throw new IllegalStateException(message);
        }
        LOG.warn(message + " (allowed only in " + LaunchMode.current() + " mode)");
    }

    /** Every problem with this service's secrets, one line each. */
    public List<String> problems() {
        List<Secret> secrets = new ArrayList<>();
        secrets.add(Secret.own(InternalToken.PROPERTY, InternalToken.VARIABLE));
        sets.forEach(s -> secrets.addAll(s.secrets()));
        List<String> problems = new ArrayList<>();
        for (Secret s : secrets) {
            SecretRules.problem(s, read(s.property())).ifPresent(problems::add);
        }
        return problems;
    }

    private static Optional<String> read(String property) {
        try {
            return ConfigProvider.getConfig().getOptionalValue(property, String.class);
        } catch (RuntimeException e) {
            // an unresolvable ${VARIABLE} expression: the variable is not set
            return Optional.empty();
        }
    }
}
