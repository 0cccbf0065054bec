-- Launch by requirements (ADR 0020): what the session asked for instead of an offer, searched again
-- on every failover, and the moment after which no failover starts any more.
alter table sessions add column requirements jsonb;
alter table sessions add column failover_until timestamptz;
