-- The purge job (service-kit kit.purge) deletes processed-message ids by age: index that age.
-- (outbox already has outbox_created_at)
create index if not exists processed_messages_processed_at on processed_messages (processed_at);
