-- sp_single_customer_view(run_id): the single_customer_view reporting family, called by the state machine's
-- reporting step. In order:
--   1. sp_scd2_refresh for every snapshot entity in scd2_entity (type 2 history + change history; crm_contact)
--   2. sp_scv_collect_records: person attributes of every live record of every source (scv_source_record)
--   3. sp_scv_federate: a federated id per (source, native id), never reused (scv_federated_id)
--   4. sp_scv_consolidate: records linked into customers by the match rules, survivorship (scv_person, scv_customer)
-- Each step writes its own procedure_audit row, and this procedure one more. Everything runs in the caller's
-- transaction: a failure anywhere leaves every table as it was. Idempotent: a second call with the same input
-- changes no table but procedure_audit.
create or replace procedure {{reporting_schema}}.sp_single_customer_view(run_id varchar(128))
as $$
declare
  v_run varchar(128) := run_id;
  v_started timestamp := getdate();
  v_entity record;
  v_entities integer := 0;
  v_customers bigint := 0;
  v_records bigint := 0;
begin
  if v_run is null or trim(v_run) = '' then
    raise exception 'sp_single_customer_view: run_id is required';
  end if;

  for v_entity in select entity from {{reporting_schema}}.scd2_entity order by entity loop
    call {{reporting_schema}}.sp_scd2_refresh(v_run, v_entity.entity);
    v_entities := v_entities + 1;
  end loop;

  call {{reporting_schema}}.sp_scv_collect_records(v_run);
  call {{reporting_schema}}.sp_scv_federate(v_run);
  call {{reporting_schema}}.sp_scv_consolidate(v_run);

  select into v_records count(*) from {{reporting_schema}}.scv_person;
  select into v_customers count(*) from {{reporting_schema}}.scv_customer;

  insert into {{reporting_schema}}.procedure_audit (
    run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
  )
  values (
    v_run, 'sp_single_customer_view', v_started, getdate(), 'SUCCEEDED', 0, 0, 0,
    cast(v_entities as varchar(12)) || ' snapshot entities refreshed; ' || cast(v_records as varchar(20))
      || ' records in ' || cast(v_customers as varchar(20)) || ' customers'
  );
end;
$$ language plpgsql;
