-- Providers send longer values than first assumed (country names, not only ISO codes): offer text
-- columns are unbounded text, so a real snapshot is never dead-lettered for a column width.
alter table offers
    alter column id type text,
    alter column provider type text,
    alter column provider_id type text,
    alter column gpu_type type text,
    alter column currency type text,
    alter column location type text,
    alter column country type text,
    alter column machine_id type text;
alter table provisioning_outcomes
    alter column offer_id type text,
    alter column machine_id type text,
    alter column gpu_type type text;
