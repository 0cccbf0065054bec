package io.gpubroker.session.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** The provider instance and how to reach it, as provider-gateway reported it. */
@Embeddable
public class Host {
    @Column(name = "instance_id")
    public String instanceId;

    @Column(name = "ssh_host")
    public String sshHost;

    @Column(name = "ssh_port")
    public Integer sshPort;

    @Column(name = "ssh_user")
    public String sshUser;
    /** The instance's pinned SSH host key (SHA256:...): reported by the gateway (Trooper) or pinned at the first verification. */
    @Column(name = "ssh_host_key")
    public String sshHostKey;

    @Column(name = "provider_state")
    public String providerState;

    @Column(name = "instance_ready")
    public boolean instanceReady;

    @Column(name = "api_endpoint")
    public String apiEndpoint;
}
