-- What billing knows of each session, from session.events. The ledger (cost per minute step)
-- builds on this row; the price is frozen at request time.
create table session_accounts (
    session_id        varchar(64)   primary key,
    consumer_id       varchar(128)  not null,
    offer_id          varchar(256)  not null,
    provider          varchar(32)   not null,
    gpu_type          varchar(64),
    gpu_count         int           not null,
    price_per_hour    numeric(12,6) not null,
    currency          varchar(3)    not null,
    reservation_hours int           not null,
    requested_at      timestamptz   not null,
    recorded_at       timestamptz   not null default clock_timestamp()
);
create index session_accounts_consumer on session_accounts (consumer_id);
