-- Orphans the reconciliation asked to destroy: one row per instance, so a listing every minute does
-- not count (or command) the same orphan again and again.
create table orphans (
    provider        varchar(32)  not null,
    instance_id     varchar(128) not null,
    tag             varchar(128) not null,
    detected_at     timestamptz  not null,
    last_command_at timestamptz  not null,
    primary key (provider, instance_id)
);
