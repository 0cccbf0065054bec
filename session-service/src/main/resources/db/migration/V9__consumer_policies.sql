-- Per-consumer policy set by the admin (issue #17): enforced in the create transaction under the
-- consumer's advisory lock, so it holds across replicas and concurrent requests. Null = no limit.
create table consumer_policies (
    consumer_id            varchar(128)  primary key,
    max_sessions           int,
    max_gpus               int,
    max_hourly_usd         numeric(12,6),
    allowed_providers      jsonb,
    allowed_gpu_types      jsonb,
    max_reservation_hours  int,
    default_ttl_hours      int,
    updated_at             timestamptz   not null
);
