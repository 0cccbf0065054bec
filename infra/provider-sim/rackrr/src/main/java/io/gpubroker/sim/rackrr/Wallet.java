package io.gpubroker.sim.rackrr;

import io.gpubroker.sim.core.SimInstance;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The account wallet behind {@code /wallets/*}. The balance is the billing truth at any instant
 * (credits minus what every VM really accrued); debits are written as transactions periodically
 * and when a VM stops billing for good, so the history lags the balance by at most one interval.
 */
final class Wallet {

    /** One wallet transaction; {@code type} is {@code debit} or {@code credit}. */
    record Transaction(String id, BigDecimal amount, String type, String description, String vmId, Instant createdAt) {}

    private final BigDecimal initialBalance;
    private final Supplier<String> ids;
    private final List<Transaction> transactions = new ArrayList<>();
    private BigDecimal credits = BigDecimal.ZERO;

    Wallet(BigDecimal initialBalance, Supplier<String> ids) {
        this.initialBalance = initialBalance;
        this.ids = ids;
    }

    void reset(Instant now) {
        transactions.clear();
        credits = BigDecimal.ZERO;
        credit(initialBalance, "Wallet top-up", now);
    }

    void credit(BigDecimal amount, String description, Instant now) {
        credits = credits.add(amount);
        transactions.add(new Transaction(ids.get(), scale(amount), "credit", description, null, now));
    }

    /** A manual correction (control API); negative amounts are recorded as debits. */
    void adjust(BigDecimal amount, Instant now) {
        if (amount.signum() >= 0) {
            credit(amount, "Balance adjustment", now);
        } else {
            credits = credits.add(amount);
            transactions.add(
                    new Transaction(ids.get(), scale(amount.negate()), "debit", "Balance adjustment", null, now));
        }
    }

    /** Writes the VM's not yet recorded usage as a debit. */
    void debit(RackrrVm vm, Instant now) {
        BigDecimal delta = vm.accrued(now).subtract(vm.debited);
        if (delta.signum() > 0) {
            vm.debited = vm.debited.add(delta);
            transactions.add(new Transaction(
                    ids.get(),
                    scale(delta),
                    "debit",
                    "VM usage: " + vm.tag + " (" + vm.offer.gpuModel + " x" + vm.gpuCount + ")",
                    vm.id,
                    now));
        }
    }

    BigDecimal balance(Collection<SimInstance> all, Instant now) {
        BigDecimal spent = BigDecimal.ZERO;
        for (SimInstance i : all) {
            spent = spent.add(i.accrued(now));
        }
        return scale(credits.subtract(spent));
    }

    /** Newest first. */
    List<Transaction> transactions() {
        List<Transaction> out = new ArrayList<>(transactions);
        java.util.Collections.reverse(out);
        return out;
    }

    private static BigDecimal scale(BigDecimal v) {
        return v.setScale(6, RoundingMode.HALF_UP);
    }
}
