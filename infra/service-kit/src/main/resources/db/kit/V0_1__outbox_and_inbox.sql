-- Shared by every service (flyway location db/kit), created in the service's own schema.
-- The outbox: written in the same transaction as the state change; Debezium's EventRouter
-- publishes each row to its topic, keyed by aggregateid, with id/type/version headers.
create table outbox (
    id            uuid primary key,
    aggregatetype varchar(64)  not null,
    aggregateid   varchar(128) not null,
    type          varchar(64)  not null,
    version       int          not null default 1,
    topic         varchar(128) not null,
    payload       jsonb        not null,
    created_at    timestamptz  not null default clock_timestamp()
);
create index outbox_created_at on outbox (created_at);

-- The inbox: one row per processed event id and consumer, in the same transaction as the effect.
create table processed_messages (
    consumer     varchar(64) not null,
    event_id     varchar(64) not null,
    event_type   varchar(64) not null,
    processed_at timestamptz not null default clock_timestamp(),
    primary key (consumer, event_id)
);
