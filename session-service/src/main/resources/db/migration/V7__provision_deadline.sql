-- A create carries its deadline: past it provider-gateway never begins it, and the session gives up
-- on an answer only after the deadline plus a grace (a late answer's instance is destroyed on arrival).
alter table sessions add column provision_deadline_at timestamptz;

-- Orphans: every unwanted instance is remembered until the provider stops listing it, so it is
-- commanded again whatever its age; `reason` tells a late or superseded instance from a swept one.
alter table orphans add column reason varchar(128);
