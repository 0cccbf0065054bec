-- The gateway's own schema: consumers and API keys arrive with the api-gateway issue.
create table gateway_info (
    key   varchar(64) primary key,
    value varchar(256) not null
);
insert into gateway_info (key, value) values ('schema_version', '1');
