package io.gpubroker.provider.messaging;

import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.ProvisionInstance;
import io.gpubroker.contracts.TerminateInstance;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.LogContext;
import io.gpubroker.provider.config.Providers;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code provisioning.requests}. Malformed messages (and non-commands) are dead-lettered
 * with the reason; a command for a provider not enabled in this process is acked without effect
 * (the process that owns that provider, in its own consumer group, answers it); database trouble
 * is retried with back-off, then dead-lettered — nothing is silently dropped. A status lookup taken
 * after its deadline is stale and dropped unanswered (the saga asks again on its own timer), so a
 * backlog of polls drains without provider calls; creates past their deadline are answered "expired"
 * by the handler; destroys never expire.
 */
@ApplicationScoped
public class CommandConsumer {
    private static final Logger LOG = Logger.getLogger(CommandConsumer.class);

    private final CommandHandler handler;
    private final Providers providers;
    private final CommandLag lag;
    private final BrokerClock.Scaled clock;

    public CommandConsumer(CommandHandler handler, Providers providers, CommandLag lag, BrokerClock.Scaled clock) {
        this.handler = handler;
        this.providers = providers;
        this.lag = lag;
        this.clock = clock;
    }

    @Incoming("provisioning-requests")
    public Uni<Void> consume(Message<String> msg) {
        Envelope env;
        try {
            env = Envelope.of(msg);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering malformed command: %s", e.getMessage());
            return Uni.createFrom().completionStage(msg.nack(e));
        }
        String provider = env.event() instanceof ProvisionInstance c
                ? c.provider()
                : env.event() instanceof TerminateInstance c
                        ? c.provider()
                        : env.event() instanceof DescribeInstance c ? c.provider() : null;
        if (provider == null) {
            return Uni.createFrom()
                    .completionStage(
                            msg.nack(new MalformedEventException(env.type() + " is not a provisioning command")));
        }
        LogContext.of(env.event());
        if (!providers.isEnabled(provider)) {
            return Uni.createFrom().completionStage(msg.ack());
        }
        lag.taken(
                provider,
                env.type(),
                env.event() instanceof ProvisionInstance c
                        ? c.requestedAt()
                        : env.event() instanceof TerminateInstance c
                                ? c.requestedAt()
                                : ((DescribeInstance) env.event()).requestedAt());
        if (env.event() instanceof DescribeInstance d && d.expiredAt(clock.instant())) {
            lag.expired(provider, env.type());
            return Uni.createFrom().completionStage(msg.ack());
        }
        Uni<Void> work = env.event() instanceof ProvisionInstance c
                ? handler.provision(env, c)
                : env.event() instanceof TerminateInstance c
                        ? handler.terminate(env, c)
                        : handler.describe(env, (DescribeInstance) env.event());
        Envelope e = env;
        return work.onFailure(t -> !(t instanceof MalformedEventException))
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                .atMost(5)
                .onItemOrFailure()
                .transformToUni((v, failure) -> {
                    if (failure != null) {
                        LOG.errorf("dead-lettering %s %s: %s", e.type(), e.eventId(), failure.getMessage());
                        return Uni.createFrom().completionStage(msg.nack(failure));
                    }
                    return Uni.createFrom().completionStage(msg.ack());
                });
    }
}
