-- Snapshot entities kept as type 2 history by sp_scd2_refresh: one scd2_entity row per entity, one
-- scd2_entity_attribute row per tracked column (slot 1..12), and the entity's named history view.
-- Registering another full-snapshot file source is a change here (rows and a view, and its name in the two deletes
-- below), not a new procedure. Database sources' tables are registered by dap from their config
-- (config/sources/databases/<source>.json, a generated script), never here.
-- Re-applied whenever this file changes; the history tables are untouched.

delete from {{reporting_schema}}.scd2_entity where entity in ('crm_contact');
delete from {{reporting_schema}}.scd2_entity_attribute where entity in ('crm_contact');

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
  );

insert into {{reporting_schema}}.scd2_entity_attribute (entity, slot, column_name) values
  ('crm_contact', 1, 'first_name'),
  ('crm_contact', 2, 'last_name'),
  ('crm_contact', 3, 'email'),
  ('crm_contact', 4, 'phone'),
  ('crm_contact', 5, 'organisation'),
  ('crm_contact', 6, 'status'),
  ('crm_contact', 7, 'updated_on');

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
