-- Sessions: one row per session, the saga's state. Money is numeric, never floating point.
create table sessions (
    id                     varchar(64)   primary key,
    consumer_id            varchar(128)  not null,
    offer_id               varchar(256)  not null,
    provider               varchar(32)   not null,
    gpu_type               varchar(64),
    gpu_count              int           not null default 1,
    vram_gb                int,
    price_per_hour         numeric(12,6) not null,
    currency               varchar(3)    not null default 'USD',
    status                 varchar(16)   not null,
    workload_type          varchar(32)   not null,
    reservation_hours      int           not null,
    idle_threshold_minutes int           not null default 0,
    storage_policy         varchar(16)   not null default 'destroy',
    launch_mode            varchar(16)   not null default 'ssh',
    docker_image           varchar(512),
    model_id               varchar(512),
    exposed_ports          varchar(256),
    quantization           varchar(32),
    disk_gb                int           not null default 50,
    template_hash_id       varchar(64),
    auto_retry             boolean       not null default false,
    max_retries            int           not null default 0,
    retry_scope            varchar(16),
    idempotency_key        varchar(128),
    created_at             timestamptz   not null,
    expires_at             timestamptz   not null,
    hard_max_at            timestamptz   not null,
    updated_at             timestamptz   not null,
    version                bigint        not null default 0
);
create index sessions_consumer on sessions (consumer_id, created_at desc);
create index sessions_status on sessions (status);
-- at most one live session per consumer + offer (409 on a second create)
create unique index sessions_one_live_per_offer on sessions (consumer_id, offer_id)
    where status in ('pending', 'provisioning', 'running');
create unique index sessions_idempotency on sessions (consumer_id, idempotency_key) where idempotency_key is not null;
