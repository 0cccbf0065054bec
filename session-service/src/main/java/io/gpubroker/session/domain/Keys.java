package io.gpubroker.session.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** The session's SSH key material: public halves, the verification salt, the agent token hash (no secret is stored). */
@Embeddable
public class Keys {
    @Column(name = "user_public_key")
    public String userPublicKey;
    /** Random salt of the broker's verification key (SessionKeys); RETIRED once no SSH access is needed; null on pre-salt rows. */
    @Column(name = "verify_salt")
    public String verifySalt;

    @Column(name = "agent_token_hash")
    public String agentTokenHash;
}
