-- The provisioning / termination saga's state lives on the session row; one due time
-- (next_check_at) drives every timer: verification polling, expiry, hard max, idle, destroy retries.
alter table sessions
    add column offer_provisioning     jsonb,
    add column machine_id             varchar(128),
    add column offer_cuda             numeric(5,2),
    add column user_public_key        text,
    add column agent_token_hash       varchar(128),
    add column instance_id            varchar(128),
    add column ssh_host               varchar(256),
    add column ssh_port               int,
    add column ssh_user               varchar(64),
    add column provider_state         varchar(64),
    add column instance_ready         boolean not null default false,
    add column api_endpoint           varchar(512),
    add column provision_command_id   varchar(64),
    add column provision_sent_at      timestamptz,
    add column provision_resends      int not null default 0,
    add column provisioning_started_at timestamptz,
    add column verify_deadline_at     timestamptz,
    add column verify_attempts        int not null default 0,
    add column started_at             timestamptz,
    add column stop_reason            varchar(64),
    add column final_status           varchar(16),
    add column terminate_attempts     int not null default 0,
    add column stopped_at             timestamptz,
    add column failure_reason         text,
    add column error_class            varchar(32),
    add column retry_count            int not null default 0,
    add column extended_hours         int not null default 0,
    add column last_activity_at       timestamptz,
    add column gpu_util_pct           int,
    add column idle_warned_at         timestamptz,
    add column next_probe_at          timestamptz,
    add column next_check_at          timestamptz;

create index sessions_due on sessions (next_check_at) where next_check_at is not null;
create index sessions_instance on sessions (provider, instance_id);

-- Every offer a session tried (auto-retry chain): the user can follow it.
create table session_attempts (
    session_id  varchar(64)  not null references sessions (id),
    attempt     int          not null,
    offer_id    varchar(256) not null,
    provider    varchar(32)  not null,
    outcome     varchar(32),
    detail      text,
    at          timestamptz  not null,
    primary key (session_id, attempt)
);

-- Hosts that lied about their GPU or rejected our keys: excluded from auto-retry.
create table bad_hosts (
    provider    varchar(32)  not null,
    machine_id  varchar(128) not null,
    reason      text         not null,
    marked_at   timestamptz  not null,
    primary key (provider, machine_id)
);
