-- This service's own schema; its tables arrive with its issue.
create table service_info (
    key   varchar(64) primary key,
    value varchar(256) not null
);
insert into service_info (key, value) values ('schema_version', '1');
