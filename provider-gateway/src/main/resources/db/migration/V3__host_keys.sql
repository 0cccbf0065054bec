-- Issue #12: the SSH host key the gateway pinned for an instance it logs into itself (Trooper: at the
-- first connection, before the root password is sent). Every replica and a restarted gateway read
-- it from here, and send the password only to a host presenting exactly this key.
alter table intents add column ssh_host_key varchar(128);
