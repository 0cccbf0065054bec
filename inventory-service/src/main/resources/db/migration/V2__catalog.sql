-- The durable copy of the catalog. Searches never read it: the service keeps an in-memory index,
-- loaded from here at start and updated on every applied snapshot. Only rows that changed are written.
create table offers (
    id                 varchar(160) primary key,
    provider           varchar(32)  not null,
    provider_id        varchar(128) not null,
    gpu_type           varchar(64)  not null,
    gpu_count          int          not null,
    vram_gb            int          not null,
    price_per_hour     numeric(12, 5) not null,
    currency           varchar(8)   not null,
    location           varchar(128),
    country            varchar(8),
    reliability        double precision,
    available          boolean      not null,
    available_count    int,
    cuda_version       double precision,
    max_duration_hours int,
    machine_id         varchar(128),
    vcpus              int,
    ram_gb             int,
    disk_gb            int,
    fetched_at         timestamptz  not null,
    provisioning       jsonb,
    first_seen_at      timestamptz  not null default clock_timestamp(),
    updated_at         timestamptz  not null default clock_timestamp()
);
create index offers_provider on offers (provider);

-- Per provider: the last applied (complete) snapshot and the last failed poll. An offer's age is
-- the age of its provider's last applied snapshot, so unchanged offers need no row update per poll.
create table provider_catalogs (
    provider            varchar(32) primary key,
    snapshot_id         varchar(128),
    snapshot_fetched_at timestamptz,
    offer_count         int not null default 0,
    applied_at          timestamptz,
    poll_failed_at      timestamptz,
    poll_error_class    varchar(64),
    poll_error_message  varchar(512)
);

-- Provisioning outcomes from provisioning.replies (one row per event id): the broker's own
-- history behind availability confidence and suppression, replayed into memory at start.
create table provisioning_outcomes (
    event_id     varchar(64) primary key,
    outcome      varchar(16) not null,
    provider     varchar(32) not null,
    offer_id     varchar(160),
    machine_id   varchar(128),
    gpu_type     varchar(64),
    error_class  varchar(64),
    message      varchar(512),
    occurred_at  timestamptz not null
);
create index provisioning_outcomes_time on provisioning_outcomes (occurred_at);

-- The last template list fetched from provider-gateway, so templates are served while it is down.
create table template_cache (
    id         int primary key,
    body       jsonb       not null,
    fetched_at timestamptz not null
);
