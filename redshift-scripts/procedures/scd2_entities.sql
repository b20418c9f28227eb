-- Snapshot entities kept as type 2 history by sp_scd2_refresh: one scd2_entity row per entity, one
-- scd2_entity_attribute row per tracked column (slot 1..12), and the entity's named history view.
-- Registering another full-snapshot source is a change here (rows and a view), not a new procedure.
-- Re-applied whenever this file changes; the history tables are untouched.

delete from {{reporting_schema}}.scd2_entity;
delete from {{reporting_schema}}.scd2_entity_attribute;

insert into {{reporting_schema}}.scd2_entity
  (entity, source_table, key_column, snapshot_date_column, file_column, file_order_column, row_order_column, description)
values
  (
    'crm_contact',
    '{{raw_schema}}.crm_contacts',
    'contact_id',
    'snapshot_date',
    'file_hash',
    'ingested_at',
    'source_row',
    'CRM contacts, weekly full extracts (config/sources/files/crm_contacts.json)'
  ),
  -- A database source's tables (config/sources/databases/timetable.json): each promoted extract is the snapshot of
  -- its date, and row_key (source_id|key) keeps the history of each instance's rows apart.
  (
    'timetable_department',
    '{{raw_schema}}.timetable_departments',
    'row_key',
    'snapshot_date',
    'extract_id',
    'extracted_at',
    'extract_row',
    'Timetable departments of both campus databases, extracted whole (config/sources/databases/timetable.json)'
  ),
  (
    'timetable_room',
    '{{raw_schema}}.timetable_rooms',
    'row_key',
    'snapshot_date',
    'extract_id',
    'extracted_at',
    'extract_row',
    'Timetable rooms of both campus databases, extracted whole (config/sources/databases/timetable.json)'
  ),
  (
    'timetable_staff',
    '{{raw_schema}}.timetable_staff',
    'row_key',
    'snapshot_date',
    'extract_id',
    'extracted_at',
    'extract_row',
    'Timetable staff of both campus databases, extracted whole (config/sources/databases/timetable.json)'
  );

insert into {{reporting_schema}}.scd2_entity_attribute (entity, slot, column_name) values
  ('crm_contact', 1, 'first_name'),
  ('crm_contact', 2, 'last_name'),
  ('crm_contact', 3, 'email'),
  ('crm_contact', 4, 'phone'),
  ('crm_contact', 5, 'organisation'),
  ('crm_contact', 6, 'status'),
  ('crm_contact', 7, 'updated_on'),
  ('timetable_department', 1, 'source_id'),
  ('timetable_department', 2, 'department_id'),
  ('timetable_department', 3, 'name'),
  ('timetable_room', 1, 'source_id'),
  ('timetable_room', 2, 'site'),
  ('timetable_room', 3, 'room_code'),
  ('timetable_room', 4, 'department_id'),
  ('timetable_room', 5, 'capacity'),
  ('timetable_staff', 1, 'source_id'),
  ('timetable_staff', 2, 'staff_id'),
  ('timetable_staff', 3, 'email'),
  ('timetable_staff', 4, 'full_name'),
  ('timetable_staff', 5, 'department_id'),
  ('timetable_staff', 6, 'salary'),
  ('timetable_staff', 7, 'updated_at');

-- One row per version of a CRM contact over [valid_from, valid_to); the current live contacts are
-- `where is_current and not is_deleted`; the contacts as of date D are `where valid_from <= D and D < valid_to
-- and not is_deleted`.
create or replace view {{reporting_schema}}.dim_crm_contact_history as
select
  native_key as contact_id,
  valid_from,
  valid_to,
  is_current,
  is_deleted,
  attr_01 as first_name,
  attr_02 as last_name,
  attr_03 as email,
  attr_04 as phone,
  attr_05 as organisation,
  attr_06 as status,
  cast(attr_07 as date) as updated_on,
  attr_hash,
  created_run_id,
  updated_run_id
from {{reporting_schema}}.scd2_history
where entity = 'crm_contact';

-- The timetable's history, one row per version of a row of one campus database (row_key = source_id|key): as for
-- CRM contacts, current rows are `where is_current and not is_deleted`.
create or replace view {{reporting_schema}}.dim_timetable_department_history as
select
  native_key as row_key,
  attr_01 as source_id,
  cast(attr_02 as integer) as department_id,
  attr_03 as name,
  valid_from,
  valid_to,
  is_current,
  is_deleted,
  attr_hash,
  created_run_id,
  updated_run_id
from {{reporting_schema}}.scd2_history
where entity = 'timetable_department';

create or replace view {{reporting_schema}}.dim_timetable_room_history as
select
  native_key as row_key,
  attr_01 as source_id,
  attr_02 as site,
  attr_03 as room_code,
  cast(attr_04 as integer) as department_id,
  cast(attr_05 as integer) as capacity,
  valid_from,
  valid_to,
  is_current,
  is_deleted,
  attr_hash,
  created_run_id,
  updated_run_id
from {{reporting_schema}}.scd2_history
where entity = 'timetable_room';

create or replace view {{reporting_schema}}.dim_timetable_staff_history as
select
  native_key as row_key,
  attr_01 as source_id,
  cast(attr_02 as integer) as staff_id,
  attr_03 as email,
  attr_04 as full_name,
  cast(attr_05 as integer) as department_id,
  cast(attr_06 as decimal(10, 2)) as salary,
  cast(attr_07 as timestamp) as updated_at,
  valid_from,
  valid_to,
  is_current,
  is_deleted,
  attr_hash,
  created_run_id,
  updated_run_id
from {{reporting_schema}}.scd2_history
where entity = 'timetable_staff';
