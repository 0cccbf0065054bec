-- Replicas (issue #14): each replica applies only the snapshots and outcomes of the partitions it
-- owns, and follows the others' through these tables. recorded_at says when an outcome row was
-- written (not when it happened), so a replica can read what others stored since its last look.
alter table provisioning_outcomes add column recorded_at timestamptz not null default clock_timestamp();
create index provisioning_outcomes_recorded on provisioning_outcomes (recorded_at);
