-- launch_mode=entrypoint: after SSH + host truth pass, the app (model server) is started and the
-- session is running only once its HTTP API answers health.
alter table sessions add column host_verified_at    timestamptz;
alter table sessions add column app_launch_sent_at  timestamptz;
alter table sessions add column app_launched_at     timestamptz;
alter table sessions add column app_deadline_at     timestamptz;
