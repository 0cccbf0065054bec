-- Daily rollup of the ledger: one row per session and UTC day (with the columns the costs API and the
-- dashboards group by), kept exact by statement-level triggers on ledger_entries. They run inside the
-- statement that changes the ledger (accrual insert, stop rewrite upsert, removal past the end, or any
-- manual fix), so the rollup commits or rolls back with it and cannot drift. Steps never straddle a
-- UTC midnight, so every ledger row belongs to exactly one day row.
create table daily_costs (
    session_id  varchar(64)   not null,
    day         date          not null,   -- the UTC day of the steps
    consumer_id varchar(128)  not null,
    provider    varchar(32)   not null,
    gpu_type    varchar(64)   not null,   -- 'unknown' where the ledger has none (as every report shows it)
    currency    varchar(3)    not null,
    amount      numeric       not null,   -- exact sum of the steps' amounts
    seconds     numeric       not null,   -- exact sum of the steps' seconds
    steps       int           not null,   -- ledger rows behind this row; the row goes when it reaches 0
    primary key (session_id, day, consumer_id, provider, gpu_type, currency)
);
create index daily_costs_consumer_day on daily_costs (consumer_id, day);
create index daily_costs_day on daily_costs (day);

-- Applies the rows a statement inserted (+), updated (old −, new +) or deleted (−) to the rollup.
create function ledger_to_daily_costs() returns trigger language plpgsql as $$
begin
    if TG_OP = 'INSERT' then
        insert into billing.daily_costs as d (session_id, day, consumer_id, provider, gpu_type, currency, amount, seconds, steps)
        select session_id, (minute at time zone 'UTC')::date, consumer_id, provider, coalesce(gpu_type, 'unknown'), currency,
               sum(amount), sum(seconds), count(*)
        from new_rows
        group by 1, 2, 3, 4, 5, 6
        on conflict (session_id, day, consumer_id, provider, gpu_type, currency) do update
           set amount = d.amount + excluded.amount, seconds = d.seconds + excluded.seconds, steps = d.steps + excluded.steps;
    elsif TG_OP = 'UPDATE' then
        insert into billing.daily_costs as d (session_id, day, consumer_id, provider, gpu_type, currency, amount, seconds, steps)
        select session_id, day, consumer_id, provider, gpu_type, currency, sum(amount), sum(seconds), sum(steps)
        from (select session_id, (minute at time zone 'UTC')::date as day, consumer_id, provider,
                     coalesce(gpu_type, 'unknown') as gpu_type, currency, amount, seconds, 1 as steps
              from new_rows
              union all
              select session_id, (minute at time zone 'UTC')::date, consumer_id, provider,
                     coalesce(gpu_type, 'unknown'), currency, -amount, -seconds, -1
              from old_rows) changed
        group by 1, 2, 3, 4, 5, 6
        on conflict (session_id, day, consumer_id, provider, gpu_type, currency) do update
           set amount = d.amount + excluded.amount, seconds = d.seconds + excluded.seconds, steps = d.steps + excluded.steps;
        delete from billing.daily_costs d using (select distinct session_id from old_rows) o
         where d.session_id = o.session_id and d.steps = 0;
    elsif TG_OP = 'DELETE' then
        insert into billing.daily_costs as d (session_id, day, consumer_id, provider, gpu_type, currency, amount, seconds, steps)
        select session_id, (minute at time zone 'UTC')::date, consumer_id, provider, coalesce(gpu_type, 'unknown'), currency,
               -sum(amount), -sum(seconds), -count(*)
        from old_rows
        group by 1, 2, 3, 4, 5, 6
        on conflict (session_id, day, consumer_id, provider, gpu_type, currency) do update
           set amount = d.amount + excluded.amount, seconds = d.seconds + excluded.seconds, steps = d.steps + excluded.steps;
        delete from billing.daily_costs d using (select distinct session_id from old_rows) o
         where d.session_id = o.session_id and d.steps = 0;
    elsif TG_OP = 'TRUNCATE' then
        truncate billing.daily_costs;
    end if;
    return null;
end
$$;

-- No writer may slip between the backfill's snapshot and the triggers (another replica still on V2).
lock table ledger_entries in share row exclusive mode;

-- Separate INSERT and UPDATE triggers: for INSERT ... ON CONFLICT DO UPDATE (the stop rewrite) PostgreSQL
-- hands the inserted rows to the first and the updated ones to the second.
create trigger ledger_daily_costs_insert after insert on ledger_entries
    referencing new table as new_rows for each statement execute function ledger_to_daily_costs();
create trigger ledger_daily_costs_update after update on ledger_entries
    referencing old table as old_rows new table as new_rows for each statement execute function ledger_to_daily_costs();
create trigger ledger_daily_costs_delete after delete on ledger_entries
    referencing old table as old_rows for each statement execute function ledger_to_daily_costs();
create trigger ledger_daily_costs_truncate after truncate on ledger_entries
    for each statement execute function ledger_to_daily_costs();

insert into daily_costs (session_id, day, consumer_id, provider, gpu_type, currency, amount, seconds, steps)
select session_id, (minute at time zone 'UTC')::date, consumer_id, provider, coalesce(gpu_type, 'unknown'), currency,
       sum(amount), sum(seconds), count(*)
from ledger_entries
group by 1, 2, 3, 4, 5, 6;

-- The dashboards read the rollup too (same columns and values as before; recreated, as a column type's
-- modifier may differ).
drop view v_spend_daily_by_provider, v_spend_daily_by_gpu_type, v_spend_daily_by_consumer, v_budget_use;

create view v_spend_daily_by_provider as
    select (day::timestamp at time zone 'UTC') as "time", provider, currency, sum(amount) as cost,
           sum(seconds) / 3600 as hours
    from daily_costs group by 1, 2, 3;

create view v_spend_daily_by_gpu_type as
    select (day::timestamp at time zone 'UTC') as "time", gpu_type, currency, sum(amount) as cost,
           sum(seconds) / 3600 as hours
    from daily_costs group by 1, 2, 3;

create view v_spend_daily_by_consumer as
    select (day::timestamp at time zone 'UTC') as "time", consumer_id, currency, sum(amount) as cost,
           sum(seconds) / 3600 as hours
    from daily_costs group by 1, 2, 3;

create view v_budget_use as
    select b.consumer_id, m.month, b.monthly_limit, b.currency, coalesce(m.spent, 0) as spent,
           case when b.monthly_limit > 0 then coalesce(m.spent, 0) / b.monthly_limit end as used_ratio
    from budgets b
    join (select consumer_id, to_char(day, 'YYYY-MM') as month, sum(amount) as spent
          from daily_costs group by 1, 2) m on m.consumer_id = b.consumer_id;

-- Reconciliation: instances whose provider call failed are skipped (never read as zero) and counted.
alter table provider_drift add column skipped int not null default 0;
