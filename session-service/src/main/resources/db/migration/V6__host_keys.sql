-- Issue #12: the broker's verification key is derived from a random per-session salt as well as the
-- session id (ADR 0005); 'retired' once the session needs no more broker SSH access. Rows created
-- before this migration have no salt (null) and keep the old derivation until they end.
-- ssh_host_key pins the instance's SSH host key (SHA256:...): every connection after the first requires it.
alter table sessions add column verify_salt varchar(64);
alter table sessions add column ssh_host_key varchar(128);
