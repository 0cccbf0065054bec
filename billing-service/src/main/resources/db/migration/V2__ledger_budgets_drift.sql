-- The ledger. A session is billed from SessionStarted.started_at to the end given by
-- SessionStopped.stopped_at (or SessionFailed.ended_at), in steps aligned on UTC minutes: one row
-- per session and minute, so a replayed or duplicated event can never charge twice, and no step
-- ever straddles a midnight or a month end (daily/monthly totals are exact sums of steps).
create table billed_sessions (
    session_id     varchar(64)   primary key,
    consumer_id    varchar(128)  not null,
    provider       varchar(32)   not null,
    gpu_type       varchar(64),
    gpu_count      int,
    instance_id    varchar(128),
    price_per_hour numeric(12,6),             -- null until SessionStarted is seen
    currency       varchar(3)    not null default 'USD',
    started_at     timestamptz,               -- null while only the end is known (stop seen first)
    ended_at       timestamptz,
    accrued_until  timestamptz,               -- steps are written up to here
    accrued_total  numeric(20,10) not null default 0,
    updated_at     timestamptz   not null default clock_timestamp()
);
create index billed_sessions_consumer on billed_sessions (consumer_id);
create index billed_sessions_running on billed_sessions (session_id) where started_at is not null and ended_at is null;
create index billed_sessions_provider_ended on billed_sessions (provider, ended_at);

create table ledger_entries (
    session_id  varchar(64)    not null,
    minute      timestamptz    not null,   -- the UTC minute this step belongs to
    seconds     numeric(8,3)   not null,   -- billed seconds inside that minute (60 for a whole step)
    amount      numeric(20,10) not null,   -- price_per_hour * seconds / 3600
    consumer_id varchar(128)   not null,
    provider    varchar(32)    not null,
    gpu_type    varchar(64),
    currency    varchar(3)     not null,
    primary key (session_id, minute)
);
create index ledger_consumer_minute on ledger_entries (consumer_id, minute);
create index ledger_minute on ledger_entries (minute);

create table budgets (
    consumer_id   varchar(128)  primary key,
    monthly_limit numeric(14,4) not null check (monthly_limit >= 0),
    currency      varchar(3)    not null,
    updated_at    timestamptz   not null default clock_timestamp()
);

-- One row per consumer, month and threshold: the unique key makes the alert fire once.
create table budget_alerts (
    consumer_id varchar(128)  not null,
    month       char(7)       not null,
    kind        varchar(16)   not null check (kind in ('warning', 'exceeded')),
    budget      numeric(14,4) not null,
    spent       numeric(20,10) not null,
    at          timestamptz   not null,
    primary key (consumer_id, month, kind)
);

create table provider_drift (
    id            bigserial     primary key,
    provider      varchar(32)   not null,
    measured_at   timestamptz   not null,
    instances     int           not null,
    unmatched     int           not null,
    broker_cost   numeric(20,10) not null,
    provider_cost numeric(20,10) not null,
    drift_ratio   numeric(12,8),
    currency      varchar(3)    not null,
    status        varchar(16)   not null,   -- ok | error | no_data
    detail        varchar(512)
);
create index provider_drift_latest on provider_drift (provider, measured_at desc);

-- Views the Grafana PostgreSQL panels read (infra/grafana/dashboards); the dashboard test runs
-- every panel query against them, so renaming a column here breaks the build, not the dashboard.
create view v_spend_daily_by_provider as
    select date_trunc('day', minute, 'UTC') as "time", provider, currency, sum(amount) as cost,
           sum(seconds) / 3600 as hours
    from ledger_entries group by 1, 2, 3;

create view v_spend_daily_by_gpu_type as
    select date_trunc('day', minute, 'UTC') as "time", coalesce(gpu_type, 'unknown') as gpu_type, currency,
           sum(amount) as cost, sum(seconds) / 3600 as hours
    from ledger_entries group by 1, 2, 3;

create view v_spend_daily_by_consumer as
    select date_trunc('day', minute, 'UTC') as "time", consumer_id, currency, sum(amount) as cost,
           sum(seconds) / 3600 as hours
    from ledger_entries group by 1, 2, 3;

create view v_budget_use as
    select b.consumer_id, m.month, b.monthly_limit, b.currency, coalesce(m.spent, 0) as spent,
           case when b.monthly_limit > 0 then coalesce(m.spent, 0) / b.monthly_limit end as used_ratio
    from budgets b
    join (select consumer_id, to_char(minute at time zone 'UTC', 'YYYY-MM') as month, sum(amount) as spent
          from ledger_entries group by 1, 2) m on m.consumer_id = b.consumer_id;

create view v_provider_drift_latest as
    select distinct on (provider) provider, measured_at as "time", instances, unmatched, broker_cost,
           provider_cost, drift_ratio, status
    from provider_drift order by provider, measured_at desc;

create view v_top_sessions as
    select s.session_id, s.consumer_id, s.provider, s.gpu_type, s.price_per_hour, s.started_at, s.ended_at,
           s.accrued_total as cost, s.currency
    from billed_sessions s where s.started_at is not null;
