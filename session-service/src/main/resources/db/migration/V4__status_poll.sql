-- Running sessions look their instance up now and then: a provider-side death or pause is seen
-- even when the instance is still listed.
alter table sessions add column next_status_at timestamptz;
