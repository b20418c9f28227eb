-- sp_scv_federate(run_id): one federated id per (source, native_id) in scv_source_record, kept for ever.
-- New pairs get max(federated_id) + row_number() ordered by (source, native_id), computed here rather than by an
-- IDENTITY column (Redshift does not promise consecutive IDENTITY values), so ids are deterministic and never reused.
-- A pair no longer present is marked is_deleted and keeps its id; if it comes back it gets the same id again.
-- Idempotent: with the same records a second call changes nothing.
create or replace procedure {{reporting_schema}}.sp_scv_federate(run_id varchar(128))
as $$
declare
  v_run varchar(128) := run_id;
  v_started timestamp := getdate();
  v_max bigint;
  v_inserted bigint := 0;
  v_deleted bigint := 0;
  v_returned bigint := 0;
begin
  lock {{reporting_schema}}.scv_federated_id;

  select into v_max coalesce(max(federated_id), 0) from {{reporting_schema}}.scv_federated_id;

  insert into {{reporting_schema}}.scv_federated_id (
    source, native_id, federated_id, first_seen_run_id, first_seen_at, is_deleted, changed_run_id, changed_at
  )
  select
    n.source,
    n.native_id,
    v_max + row_number() over (order by n.source, n.native_id),
    v_run,
    getdate(),
    false,
    v_run,
    getdate()
  from (select distinct source, native_id from {{reporting_schema}}.scv_source_record) n
  where not exists (
    select 1
    from {{reporting_schema}}.scv_federated_id f
    where f.source = n.source and f.native_id = n.native_id
  );
  get diagnostics v_inserted := row_count;

  update {{reporting_schema}}.scv_federated_id
  set is_deleted = true, changed_run_id = v_run, changed_at = getdate()
  where not is_deleted
    and not exists (
      select 1
      from {{reporting_schema}}.scv_source_record r
      where r.source = scv_federated_id.source and r.native_id = scv_federated_id.native_id
    );
  get diagnostics v_deleted := row_count;

  update {{reporting_schema}}.scv_federated_id
  set is_deleted = false, changed_run_id = v_run, changed_at = getdate()
  where is_deleted
    and exists (
      select 1
      from {{reporting_schema}}.scv_source_record r
      where r.source = scv_federated_id.source and r.native_id = scv_federated_id.native_id
    );
  get diagnostics v_returned := row_count;

  insert into {{reporting_schema}}.procedure_audit (
    run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
  )
  values (
    v_run, 'sp_scv_federate', v_started, getdate(), 'SUCCEEDED', v_inserted, v_returned, v_deleted,
    cast(v_inserted as varchar(20)) || ' new federated ids, ' || cast(v_deleted as varchar(20)) || ' records gone, '
      || cast(v_returned as varchar(20)) || ' records back'
  );
end;
$$ language plpgsql;
