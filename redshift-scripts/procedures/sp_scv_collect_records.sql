-- sp_scv_collect_records(run_id): rebuilds scv_source_record, the person attributes of every live record of every
-- single customer view source, one or more rows per (source, native_id) and exactly one is_latest row each.
-- observed_at is the source's own timestamp for the row (survivorship uses it):
--   crm_contacts        every version of each contact live in the latest snapshot (earlier emails still match);
--                       updated_on (else the version's valid_from); is_latest = the current version
--   shop_customers      latest row per customer_id (by ingestion, then file row); signed_up_on
--   event_registrations latest row per registration_id; registered_at
--   eventbrite          one row per attendee_id; attendee_changed_at (else order_created_at)
--   txma                one row per (user_id, email_address) over the TxMA stage tables; the latest event_at;
--                       is_latest = the latest row with an email address (else the latest row)
--   smartsurvey         one row per survey response (native id <survey_id>-<response_id>); no person attributes:
--                       the stage table holds no respondent email or name
--   timetable_staff     the current version of each live staff row of each campus database, from the history dap
--                       registers from config/sources/databases/timetable.json (native id row_key:
--                       source_id|staff_id); updated_at; the first word of full_name is the first name
create or replace procedure {{reporting_schema}}.sp_scv_collect_records(run_id varchar(128))
as $$
declare
  v_run varchar(128) := run_id;
  v_started timestamp := getdate();
  v_rows bigint := 0;
begin
  delete from {{reporting_schema}}.scv_source_record;

  insert into {{reporting_schema}}.scv_source_record
    (source, native_id, observed_at, is_latest, first_name, last_name, email, phone, organisation)
  select
    'crm_contacts',
    h.contact_id,
    coalesce(cast(h.updated_on as timestamp), cast(h.valid_from as timestamp)),
    h.is_current,
    h.first_name,
    h.last_name,
    h.email,
    h.phone,
    h.organisation
  from {{reporting_schema}}.dim_crm_contact_history h
  join (
    select contact_id
    from {{reporting_schema}}.dim_crm_contact_history
    where is_current and not is_deleted
  ) live on live.contact_id = h.contact_id
  where not h.is_deleted;

  insert into {{reporting_schema}}.scv_source_record
    (source, native_id, observed_at, is_latest, first_name, last_name, email, phone, organisation)
  select 'shop_customers', customer_id, cast(signed_up_on as timestamp), true, first_name, last_name, email, phone, null
  from (
    select
      trim(customer_id) as customer_id,
      signed_up_on,
      first_name,
      last_name,
      email,
      phone,
      row_number() over (partition by trim(customer_id) order by ingested_at desc, source_row desc) as row_rank
    from {{raw_schema}}.shop_customers
    where trim(customer_id) <> ''
  ) latest
  where row_rank = 1;

  insert into {{reporting_schema}}.scv_source_record
    (source, native_id, observed_at, is_latest, first_name, last_name, email, phone, organisation)
  select 'event_registrations', registration_id, registered_at, true, first_name, last_name, email, null, organisation
  from (
    select
      trim(registration_id) as registration_id,
      registered_at,
      first_name,
      last_name,
      email,
      organisation,
      row_number() over (partition by trim(registration_id) order by ingested_at desc, source_row desc) as row_rank
    from {{raw_schema}}.event_registrations
    where trim(registration_id) <> ''
  ) latest
  where row_rank = 1;

  insert into {{reporting_schema}}.scv_source_record
    (source, native_id, observed_at, is_latest, first_name, last_name, email, phone, organisation)
  select 'eventbrite', attendee_id, observed_at, true, first_name, last_name, email_address, null, null
  from (
    select
      attendee_id,
      coalesce(attendee_changed_at, order_created_at) as observed_at,
      first_name,
      last_name,
      email_address,
      row_number() over (partition by attendee_id order by attendee_changed_at desc, pulled_at desc) as row_rank
    from {{stage_schema}}.eventbrite
    where trim(attendee_id) <> ''
  ) latest
  where row_rank = 1;

  insert into {{reporting_schema}}.scv_source_record
    (source, native_id, observed_at, is_latest, first_name, last_name, email, phone, organisation)
  select
    'txma',
    user_id,
    observed_at,
    row_number() over (
      partition by user_id order by case when email_address is null then 1 else 0 end, observed_at desc, email_address
    ) = 1,
    null,
    null,
    email_address,
    null,
    null
  from (
    select user_id, email_address, max(event_at) as observed_at
    from (
      select user_id, email_address, event_at from {{stage_schema}}.auth_account_creation
      union all
      select user_id, email_address, event_at from {{stage_schema}}.dcmaw_app_journey
      union all
      select user_id, email_address, event_at from {{stage_schema}}.ipv_identity_journey
      union all
      select user_id, email_address, event_at from {{stage_schema}}.orch_spot
    ) events
    where trim(user_id) <> ''
    group by user_id, email_address
  ) users;

  insert into {{reporting_schema}}.scv_source_record
    (source, native_id, observed_at, is_latest, first_name, last_name, email, phone, organisation)
  select
    'smartsurvey',
    cast(survey_id as varchar(20)) || '-' || cast(response_id as varchar(20)),
    max(response_modified_at),
    true,
    null,
    null,
    null,
    null,
    null
  from {{stage_schema}}.smartsurvey
  where survey_id is not null and response_id is not null
  group by survey_id, response_id;

  insert into {{reporting_schema}}.scv_source_record
    (source, native_id, observed_at, is_latest, first_name, last_name, email, phone, organisation)
  select
    'timetable_staff',
    row_key,
    coalesce(cast(updated_at as timestamp), cast(valid_from as timestamp)),
    true,
    split_part(trim(full_name), ' ', 1),
    case
      when position(' ' in trim(full_name)) > 0
        then trim(substring(trim(full_name) from position(' ' in trim(full_name)) + 1))
    end,
    email,
    null,
    null
  from {{reporting_schema}}.dim_timetable_staff_history
  where is_current and not is_deleted;

  select into v_rows count(*) from {{reporting_schema}}.scv_source_record;

  insert into {{reporting_schema}}.procedure_audit (
    run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
  )
  values (
    v_run, 'sp_scv_collect_records', v_started, getdate(), 'SUCCEEDED', v_rows, 0, 0,
    cast(v_rows as varchar(20)) || ' person attribute rows collected'
  );
end;
$$ language plpgsql;
