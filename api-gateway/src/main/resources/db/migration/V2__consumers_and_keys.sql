-- Consumers (teams/applications) and their API keys. Only a SHA-256 of each key is stored: the
-- key itself is shown once at creation. key_id is the public, non-secret lookup prefix of a key.
create table consumers (
    id         varchar(64)  primary key,
    name       varchar(200) not null,
    created_at timestamptz  not null
);

create table api_keys (
    key_id      varchar(32) primary key,
    consumer_id varchar(64) not null references consumers (id),
    key_hash    varchar(64) not null,
    created_at  timestamptz not null,
    revoked_at  timestamptz
);
create index api_keys_consumer_idx on api_keys (consumer_id);

update gateway_info set value = '2' where key = 'schema_version';
