-- The reporting schema and the audit table every procedure writes one row to per call.
create schema if not exists {{reporting_schema}};

create table if not exists {{reporting_schema}}.procedure_audit (
  run_id varchar(128) not null,
  procedure_name varchar(256) not null,
  started_at timestamp not null,
  finished_at timestamp,
  status varchar(16) not null,
  rows_inserted bigint,
  rows_updated bigint,
  rows_deleted bigint,
  message varchar(4096)
)
diststyle auto
sortkey (started_at);
