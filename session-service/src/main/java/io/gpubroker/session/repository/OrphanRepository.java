package io.gpubroker.session.repository;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Instances the broker ordered destroyed without a session that wants them: swept orphans and
 * unwanted late instances. One row per instance, so a listing every minute neither counts nor
 * commands the same one again and again, yet it is commanded again until the provider stops listing it.
 */
@ApplicationScoped
public class OrphanRepository {

    /** What {@link #claimCommand} found: a new orphan, one due for another destroy command, or neither. */
    public enum Claim {
        NEW,
        AGAIN,
        NOT_DUE
    }

    /**
     * Claims the right to command {@code instanceId}'s destruction now: new, or last commanded before
     * {@code resendBefore}. A last command stamped in the future (the broker clock was behind when it
     * restarted) counts as due: a clock that went back must never silence a destroy.
     */
    public Uni<Claim> claimCommand(
            Mutiny.Session tx,
            String provider,
            String instanceId,
            String tag,
            String reason,
            Instant now,
            Instant resendBefore) {
        return tx.createNativeQuery("""
                        insert into session.orphans (provider, instance_id, tag, detected_at, last_command_at, reason)
                        values (?1, ?2, ?3, ?4, ?4, ?6)
                        on conflict (provider, instance_id) do update set last_command_at = excluded.last_command_at
                        where session.orphans.last_command_at < ?5 or session.orphans.last_command_at > ?4
                        returning (xmax = 0)""", Boolean.class)
                .setParameter(1, provider)
                .setParameter(2, instanceId)
                .setParameter(3, tag == null ? "" : tag)
                .setParameter(4, at(now))
                .setParameter(5, at(resendBefore))
                .setParameter(6, reason == null || reason.length() <= 128 ? reason : reason.substring(0, 128))
                .getResultList()
                .map(OrphanRepository::claim);
    }

    /** Records an unwanted instance whose destroy is being commanded now (always). */
    public Uni<Claim> commandNow(
            Mutiny.Session tx, String provider, String instanceId, String tag, String reason, Instant now) {
        return claimCommand(tx, provider, instanceId, tag, reason, now, now.plusMillis(1));
    }

    private static Claim claim(List<Boolean> rows) {
        if (rows.isEmpty()) {
            return Claim.NOT_DUE;
        }
        return Boolean.TRUE.equals(rows.get(0)) ? Claim.NEW : Claim.AGAIN;
    }

    private static OffsetDateTime at(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
