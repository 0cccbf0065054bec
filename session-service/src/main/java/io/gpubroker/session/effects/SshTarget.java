package io.gpubroker.session.effects;

import io.gpubroker.session.domain.Session;

/**
 * Where and how to log in to a session's host, copied from the committed row: the effect runs on a
 * worker thread after the transaction, so it must not read the entity.
 */
record SshTarget(String id, String host, int port, String user, String salt, String pin, String provider) {
    static SshTarget of(Session s) {
        return new SshTarget(s.id, s.sshHost, s.sshPort, s.sshUser == null ? "root" : s.sshUser, s.verifySalt, s.sshHostKey,
                s.provider);
    }
}
