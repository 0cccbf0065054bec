package io.gpubroker.sim.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Faults injected through the control API. A rule matches an operation name (each simulator
 * names its endpoints: {@code offers}, {@code create}, {@code get}, {@code list}, {@code destroy},
 * ...; {@code *} matches all) and fires always, {@code count} times, or with probability {@code rate}.
 * Rules with {@code op = "instance"} are consumed by the next created instances instead
 * ({@code instance_fault}: ssh_reject, ssh_never_open, gpu_mismatch, cuda_mismatch, dies, stuck,
 * and for its apps app_never_healthy, app_crash, image_pull_failed — see {@link Apps}).
 */
public final class Faults {

    /** One fault rule, as posted to {@code POST /_sim/faults}. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(
            @JsonProperty("op") String op,
            @JsonProperty("status") Integer status,
            @JsonProperty("retry_after") Integer retryAfter,
            @JsonProperty("delay_ms") Long delayMs,
            @JsonProperty("error_200") Boolean error200,
            @JsonProperty("message") String message,
            @JsonProperty("count") Integer count,
            @JsonProperty("rate") Double rate,
            @JsonProperty("instance_fault") String instanceFault,
            @JsonProperty("applied") Boolean applied) {

        public Rule {
            if (op == null || op.isBlank()) {
                throw new IllegalArgumentException("op is required");
            }
            if (rate != null && (rate < 0 || rate > 1)) {
                throw new IllegalArgumentException("rate must be within 0..1");
            }
            if (count != null && count < 1) {
                throw new IllegalArgumentException("count must be >= 1");
            }
            if (status != null && (status < 100 || status > 599)) {
                throw new IllegalArgumentException("status must be an HTTP status");
            }
        }

        public boolean isError200() {
            return Boolean.TRUE.equals(error200);
        }

        /** With {@code delay_ms}: the request takes effect even if the client gave up waiting (a lost answer). */
        public boolean isApplied() {
            return Boolean.TRUE.equals(applied);
        }

        public Rule withCount(Integer c) {
            return new Rule(op, status, retryAfter, delayMs, error200, message, c, rate, instanceFault, applied);
        }
    }

    private final List<Rule> rules = new ArrayList<>();
    private final Random random;

    public Faults(long seed) {
        this.random = new Random(seed);
    }

    public synchronized void add(Rule rule) {
        rules.add(rule);
    }

    public synchronized void clear() {
        rules.clear();
    }

    public synchronized List<Rule> list() {
        return List.copyOf(rules);
    }

    /** The fault to apply to this call of {@code op}, consuming one use of a counted rule. */
    public synchronized Optional<Rule> next(String op) {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.instanceFault() != null || !(r.op().equals(op) || r.op().equals("*"))) {
                continue;
            }
            if (r.rate() != null && random.nextDouble() >= r.rate()) {
                continue;
            }
            consume(i, r);
            return Optional.of(r);
        }
        return Optional.empty();
    }

    /** The instance fault the next created instance carries, if any. */
    public synchronized Optional<String> nextInstanceFault() {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.instanceFault() == null) {
                continue;
            }
            if (r.rate() != null && random.nextDouble() >= r.rate()) {
                continue;
            }
            consume(i, r);
            return Optional.of(r.instanceFault());
        }
        return Optional.empty();
    }

    private void consume(int i, Rule r) {
        if (r.count() != null) {
            if (r.count() <= 1) {
                rules.remove(i);
            } else {
                rules.set(i, r.withCount(r.count() - 1));
            }
        }
    }
}
