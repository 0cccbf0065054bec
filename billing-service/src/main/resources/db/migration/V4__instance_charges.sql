-- Every instance the broker caused to exist (#18, ADR 0019): from session.events InstanceCreated /
-- InstanceGone. One row per provider instance; the first creation and the first confirmation win (a
-- replayed or duplicated fact cannot move the window). When both ends are known the instance's charge
-- is written once (charged_at): the part of its provider billing window that no session ledger covers.
create table instance_charges (
    provider       varchar(32)    not null,
    instance_id    varchar(128)   not null,
    session_id     varchar(64)    not null,
    consumer_id    varchar(128),             -- the session's consumer; null when the session is unknown
    kind           varchar(16)    not null,  -- as created: attempt | unwanted | orphan
    offer_id       varchar(256),
    gpu_type       varchar(64),
    price_per_hour numeric(12,6),            -- null: taken from the session's offer when charged
    currency       varchar(3),
    created_at     timestamptz,              -- the provider starts billing
    gone_at        timestamptz,              -- the provider confirmed it gone
    charged_at     timestamptz,              -- when its ledger rows were written (null: not yet)
    charged_total  numeric(20,10) not null default 0,
    note           varchar(256),             -- why nothing was charged (no price known), if so
    updated_at     timestamptz    not null default clock_timestamp(),
    primary key (provider, instance_id)
);
create index instance_charges_session on instance_charges (session_id);
create index instance_charges_gone on instance_charges (provider, gone_at);

-- The instance ledger: like ledger_entries (UTC minute steps, never straddling a midnight), keyed by
-- instance, flag and minute so a replay never charges twice. consumer_id is the account that pays
-- (the session's consumer, or the operator account for orphans and, by policy, failed launches).
-- flag: boot (a running session's instance before verification), destroy_delay (after the session's
-- end until the provider confirmed it gone), failed_attempt (an instance no session ever ran on),
-- orphan (found in a listing, its session did not want it).
create table instance_ledger_entries (
    provider    varchar(32)    not null,
    instance_id varchar(128)   not null,
    flag        varchar(16)    not null check (flag in ('boot', 'destroy_delay', 'failed_attempt', 'orphan')),
    minute      timestamptz    not null,
    seconds     numeric(8,3)   not null,
    amount      numeric(20,10) not null,
    session_id  varchar(64)    not null,
    consumer_id varchar(128)   not null,
    gpu_type    varchar(64),
    currency    varchar(3)     not null,
    primary key (provider, instance_id, flag, minute)
);
create index instance_ledger_consumer_minute on instance_ledger_entries (consumer_id, minute);
create index instance_ledger_minute on instance_ledger_entries (minute);

-- The rollup the reports, budgets and dashboards read includes instance charges: the same statement
-- triggers as on ledger_entries (the function reads only the columns both tables share).
create trigger instance_ledger_daily_costs_insert after insert on instance_ledger_entries
    referencing new table as new_rows for each statement execute function ledger_to_daily_costs();
create trigger instance_ledger_daily_costs_update after update on instance_ledger_entries
    referencing old table as old_rows new table as new_rows for each statement execute function ledger_to_daily_costs();
create trigger instance_ledger_daily_costs_delete after delete on instance_ledger_entries
    referencing old table as old_rows for each statement execute function ledger_to_daily_costs();

-- The spend dashboard's failed-launch and orphan panel.
create view v_instance_cost_daily as
    select date_trunc('day', minute, 'UTC') as "time", flag, provider, currency, sum(amount) as cost,
           sum(seconds) / 3600 as hours
    from instance_ledger_entries group by 1, 2, 3, 4;

-- Drift alerts raised (ProviderDriftAlert published in the same transaction).
alter table provider_drift add column alerted boolean not null default false;
