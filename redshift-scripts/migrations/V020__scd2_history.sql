-- Type 2 history and change history for snapshot sources, generic over entities (sp_scd2_refresh / sp_scd2_apply).
-- A snapshot source is registered by a row in scd2_entity and its attributes in scd2_entity_attribute
-- (procedures/scd2_entities.sql); no procedure changes per source.

-- One row per snapshot entity: where its full snapshots are read from and which columns carry key, date and lineage.
create table if not exists {{reporting_schema}}.scd2_entity (
  entity varchar(64) not null,
  source_table varchar(256) not null,
  key_column varchar(128) not null,
  snapshot_date_column varchar(128) not null,
  file_column varchar(128) not null,
  file_order_column varchar(128) not null,
  row_order_column varchar(128) not null,
  description varchar(1024)
)
diststyle all;

-- One row per tracked attribute: the source column and the attribute slot (attr_01..attr_12) it is kept in.
create table if not exists {{reporting_schema}}.scd2_entity_attribute (
  entity varchar(64) not null,
  slot integer not null,
  column_name varchar(128) not null
)
diststyle all;

-- Snapshot files still to apply: per snapshot date the latest ingested file, unless already applied (work table).
create table if not exists {{reporting_schema}}.scd2_snapshot_file (
  entity varchar(64) not null,
  snapshot_date date not null,
  file_hash varchar(128) not null,
  file_ingested_at timestamp
);

-- Snapshots applied to the history: one row per (entity, snapshot_date), naming the file applied.
create table if not exists {{reporting_schema}}.scd2_applied_snapshot (
  entity varchar(64) not null,
  snapshot_date date not null,
  file_hash varchar(128) not null,
  row_count bigint not null,
  rejected_count bigint not null,
  applied_run_id varchar(128) not null,
  applied_at timestamp not null
)
sortkey (entity, snapshot_date);

-- Rows of the pending snapshot files, read through the entity's config (work table, cleared per entity per call).
create table if not exists {{reporting_schema}}.scd2_source_row (
  entity varchar(64) not null,
  snapshot_date date not null,
  file_hash varchar(128) not null,
  source_row bigint,
  native_key varchar(256),
  attr_hash varchar(32) not null,
  attr_01 varchar(4096), attr_02 varchar(4096), attr_03 varchar(4096), attr_04 varchar(4096),
  attr_05 varchar(4096), attr_06 varchar(4096), attr_07 varchar(4096), attr_08 varchar(4096),
  attr_09 varchar(4096), attr_10 varchar(4096), attr_11 varchar(4096), attr_12 varchar(4096)
);

-- The snapshot being applied: one row per key (work table, cleared per entity per call).
create table if not exists {{reporting_schema}}.scd2_snapshot_stage (
  entity varchar(64) not null,
  snapshot_date date not null,
  native_key varchar(256) not null,
  attr_hash varchar(32) not null,
  attr_01 varchar(4096), attr_02 varchar(4096), attr_03 varchar(4096), attr_04 varchar(4096),
  attr_05 varchar(4096), attr_06 varchar(4096), attr_07 varchar(4096), attr_08 varchar(4096),
  attr_09 varchar(4096), attr_10 varchar(4096), attr_11 varchar(4096), attr_12 varchar(4096)
)
distkey (native_key);

-- Keys whose history a snapshot changes, and their recomputed version starts (work tables).
create table if not exists {{reporting_schema}}.scd2_affected_key (
  entity varchar(64) not null,
  native_key varchar(256) not null
)
distkey (native_key);

create table if not exists {{reporting_schema}}.scd2_point (
  entity varchar(64) not null,
  native_key varchar(256) not null,
  point_date date not null,
  state varchar(32) not null,
  attr_01 varchar(4096), attr_02 varchar(4096), attr_03 varchar(4096), attr_04 varchar(4096),
  attr_05 varchar(4096), attr_06 varchar(4096), attr_07 varchar(4096), attr_08 varchar(4096),
  attr_09 varchar(4096), attr_10 varchar(4096), attr_11 varchar(4096), attr_12 varchar(4096)
)
distkey (native_key);

create table if not exists {{reporting_schema}}.scd2_history_new (
  entity varchar(64) not null,
  native_key varchar(256) not null,
  valid_from date not null,
  valid_to date not null,
  is_current boolean not null,
  is_deleted boolean not null,
  attr_hash varchar(32),
  attr_01 varchar(4096), attr_02 varchar(4096), attr_03 varchar(4096), attr_04 varchar(4096),
  attr_05 varchar(4096), attr_06 varchar(4096), attr_07 varchar(4096), attr_08 varchar(4096),
  attr_09 varchar(4096), attr_10 varchar(4096), attr_11 varchar(4096), attr_12 varchar(4096),
  created_run_id varchar(128) not null,
  updated_run_id varchar(128) not null
)
distkey (native_key);

create table if not exists {{reporting_schema}}.scd2_change_new (
  entity varchar(64) not null,
  native_key varchar(256) not null,
  snapshot_date date not null,
  change_type char(1) not null,
  old_attr_hash varchar(32),
  new_attr_hash varchar(32)
)
distkey (native_key);

-- Type 2 history: one row per version of a key, valid over [valid_from, valid_to) in snapshot dates.
-- valid_to is 9999-12-31 for the current version. A key absent from a full snapshot gets a deletion version
-- (is_deleted, attributes null) from that snapshot's date, so validity has no gaps from a key's first snapshot on and
-- every key has exactly one current row; a key that returns opens a new live version after its deletion version.
create table if not exists {{reporting_schema}}.scd2_history (
  entity varchar(64) not null,
  native_key varchar(256) not null,
  valid_from date not null,
  valid_to date not null,
  is_current boolean not null,
  is_deleted boolean not null,
  attr_hash varchar(32),
  attr_01 varchar(4096), attr_02 varchar(4096), attr_03 varchar(4096), attr_04 varchar(4096),
  attr_05 varchar(4096), attr_06 varchar(4096), attr_07 varchar(4096), attr_08 varchar(4096),
  attr_09 varchar(4096), attr_10 varchar(4096), attr_11 varchar(4096), attr_12 varchar(4096),
  created_run_id varchar(128) not null,
  updated_run_id varchar(128) not null
)
distkey (native_key)
sortkey (entity, native_key, valid_from);

-- Change history: one row per key and snapshot date where the key was inserted (I), updated (U) or deleted (D)
-- relative to the snapshot before it. Never purged: when a backdated snapshot changes which snapshots are
-- consecutive, the rows it contradicts are marked superseded (superseded_run_id) and the new ones added.
create table if not exists {{reporting_schema}}.scd2_change_history (
  entity varchar(64) not null,
  native_key varchar(256) not null,
  snapshot_date date not null,
  change_type char(1) not null,
  old_attr_hash varchar(32),
  new_attr_hash varchar(32),
  recorded_run_id varchar(128) not null,
  recorded_at timestamp not null,
  superseded_run_id varchar(128),
  superseded_at timestamp
)
distkey (native_key)
sortkey (entity, snapshot_date);

-- Snapshot rows not loaded into the history, with the reason: a NULL or blank key, or a key repeated in one file
-- (the row with the highest source_row is kept). Recorded once per file row, whichever run first saw it.
create table if not exists {{reporting_schema}}.scd2_reject (
  entity varchar(64) not null,
  snapshot_date date not null,
  file_hash varchar(128) not null,
  source_row bigint,
  native_key varchar(256),
  reason varchar(256) not null,
  recorded_run_id varchar(128) not null,
  recorded_at timestamp not null
);

-- The change history in force, with the snapshot each change is measured against.
create or replace view {{reporting_schema}}.scd2_change_history_current as
select
  c.entity,
  c.native_key,
  c.snapshot_date,
  a.previous_snapshot_date,
  c.change_type,
  c.old_attr_hash,
  c.new_attr_hash,
  c.recorded_run_id,
  c.recorded_at
from {{reporting_schema}}.scd2_change_history c
left join (
  select
    entity,
    snapshot_date,
    lag(snapshot_date) over (partition by entity order by snapshot_date) as previous_snapshot_date
  from {{reporting_schema}}.scd2_applied_snapshot
) a on a.entity = c.entity and a.snapshot_date = c.snapshot_date
where c.superseded_run_id is null;
