package io.gpubroker.session.effects;

import io.gpubroker.session.domain.Session;

/**
 * Where and how to log in to a session's host, copied from the committed row: the effect runs on a
 * worker thread after the transaction, so it must not read the entity.
 */
record SshTarget(String id, String host, int port, String user, String salt, String pin, String provider) {
    static SshTarget of(Session s) {
        return new SshTarget(
                s.id,
                s.host.sshHost,
                s.host.sshPort,
                s.host.sshUser == null ? "root" : s.host.sshUser,
                s.keys.verifySalt,
                s.host.sshHostKey,
                s.offer.provider);
    }
}
