-- The write-ahead intent log: one row per ProvisionInstance command, written (with the inbox row)
-- BEFORE the provider is called. The instance id is stored as soon as the provider returns it, and
-- the outcome (the reply that was sent) when the command is finished, so a redelivered or replayed
-- command never creates a second instance and is answered with the first outcome.
create table intents (
    command_id      varchar(128) primary key,
    session_id      varchar(128) not null,
    provider        varchar(32)  not null,
    offer_id        varchar(256),
    ownership_tag   varchar(63)  not null,
    ssh_public_keys jsonb        not null,
    instance_id     varchar(128),
    attempts        int          not null default 0,
    outcome_type    varchar(64),
    outcome         jsonb,
    created_at      timestamptz  not null default clock_timestamp(),
    updated_at      timestamptz  not null default clock_timestamp()
);
create index intents_instance on intents (provider, instance_id);
create index intents_session on intents (session_id);
