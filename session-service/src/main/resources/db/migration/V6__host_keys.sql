-- Issue #12: the broker's verification key is derived from a random per-session salt as well as the
-- session id (ADR 0005), and every SSH connection after the first requires the pinned host key.
-- Rows created before this migration have no salt and keep the old derivation until they end.
alter table sessions add column verify_salt varchar(64);
alter table sessions add column ssh_host_key varchar(128);
