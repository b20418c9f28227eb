-- sp_scd2_refresh(run_id, entity_name): brings one snapshot entity's type 2 history up to date with its source.
-- The entity's config (scd2_entity, scd2_entity_attribute; see scd2_entities.sql) names the source table and its
-- key, snapshot date and lineage columns. For each snapshot date the latest ingested file is the snapshot; dates
-- whose snapshot file is not applied yet are applied oldest first through sp_scd2_apply (a date applied before
-- with another file is applied again: the corrected snapshot replaces the state of that date).
-- Rules:
--   * NULL or blank key: the row is not loaded into the history; it is recorded once in scd2_reject (per file and
--     row, with the run that first saw it), never a new version or a new reject per run.
--   * a key repeated within one file: the row with the highest row_order_column is kept, the others rejected.
--   * a key absent from a full snapshot is deleted as of that snapshot (see sp_scd2_apply).
-- Idempotent: a second call with no new snapshot file finds nothing pending and changes nothing.
create or replace procedure {{reporting_schema}}.sp_scd2_refresh(run_id varchar(128), entity_name varchar(64))
as $$
declare
  v_run varchar(128) := run_id;
  v_started timestamp := getdate();
  v_config record;
  v_attribute record;
  v_pending record;
  v_slots varchar(1024) := '';
  v_values varchar(16384) := '';
  v_hash varchar(32768) := '';
  v_expression varchar(1024);
  v_date_column varchar(256);
  v_file_column varchar(256);
  v_applied bigint := 0;
  v_rows bigint := 0;
  v_rejected bigint := 0;
  v_total_rejected bigint := 0;
  v_dates varchar(4096) := '';
begin
  if v_run is null or entity_name is null then
    raise exception 'sp_scd2_refresh: run_id and entity_name are required (got %, %)', v_run, entity_name;
  end if;

  lock {{reporting_schema}}.scd2_history;

  select into v_config
    entity, source_table, key_column, snapshot_date_column, file_column, file_order_column, row_order_column
  from {{reporting_schema}}.scd2_entity
  where entity = entity_name;
  if not found then
    raise exception 'sp_scd2_refresh: unknown snapshot entity "%": expected a row in {{reporting_schema}}.scd2_entity (redshift-scripts/procedures/scd2_entities.sql)',
      entity_name;
  end if;

  for v_attribute in
    select slot, column_name
    from {{reporting_schema}}.scd2_entity_attribute
    where entity = entity_name
    order by slot
  loop
    if v_attribute.slot < 1 or v_attribute.slot > 12 then
      raise exception 'sp_scd2_refresh: entity "%" attribute "%" has slot %: expected 1 to 12 (scd2_entity_attribute)',
        entity_name, v_attribute.column_name, v_attribute.slot;
    end if;
    v_expression := 'cast(s.' || quote_ident(v_attribute.column_name) || ' as varchar(4096))';
    v_slots := v_slots || ', attr_' || lpad(cast(v_attribute.slot as varchar(2)), 2, '0');
    v_values := v_values || ', ' || v_expression;
    -- length-prefixed, so NULL, '' and values containing the separator never hash alike
    v_hash := v_hash || ' || coalesce(cast(length(' || v_expression || ') as varchar(12)), ''n'') || '':'' || coalesce('
      || v_expression || ', '''')';
  end loop;
  if v_slots = '' then
    raise exception 'sp_scd2_refresh: entity "%" has no attributes: expected rows in {{reporting_schema}}.scd2_entity_attribute',
      entity_name;
  end if;

  v_date_column := 's.' || quote_ident(v_config.snapshot_date_column);
  v_file_column := 's.' || quote_ident(v_config.file_column);

  -- per snapshot date its latest ingested file, kept only when that file is not applied yet
  delete from {{reporting_schema}}.scd2_snapshot_file where entity = entity_name;
  execute 'insert into {{reporting_schema}}.scd2_snapshot_file (entity, snapshot_date, file_hash, file_ingested_at) '
    || 'select ' || quote_literal(entity_name) || ', ' || v_date_column || ', ' || v_file_column || ', max(s.'
    || quote_ident(v_config.file_order_column) || ') from ' || v_config.source_table || ' s where '
    || v_date_column || ' is not null and ' || v_file_column || ' is not null group by ' || v_date_column || ', '
    || v_file_column;
  delete from {{reporting_schema}}.scd2_snapshot_file
  where entity = entity_name
    and exists (
      select 1
      from {{reporting_schema}}.scd2_snapshot_file newer
      where newer.entity = scd2_snapshot_file.entity
        and newer.snapshot_date = scd2_snapshot_file.snapshot_date
        and (
          coalesce(newer.file_ingested_at, cast('1900-01-01' as timestamp))
            > coalesce(scd2_snapshot_file.file_ingested_at, cast('1900-01-01' as timestamp))
          or (
            coalesce(newer.file_ingested_at, cast('1900-01-01' as timestamp))
              = coalesce(scd2_snapshot_file.file_ingested_at, cast('1900-01-01' as timestamp))
            and newer.file_hash > scd2_snapshot_file.file_hash
          )
        )
    );
  delete from {{reporting_schema}}.scd2_snapshot_file
  using {{reporting_schema}}.scd2_applied_snapshot a
  where scd2_snapshot_file.entity = entity_name
    and a.entity = scd2_snapshot_file.entity
    and a.snapshot_date = scd2_snapshot_file.snapshot_date
    and a.file_hash = scd2_snapshot_file.file_hash;

  delete from {{reporting_schema}}.scd2_source_row where entity = entity_name;
  execute 'insert into {{reporting_schema}}.scd2_source_row (entity, snapshot_date, file_hash, source_row, native_key, attr_hash'
    || v_slots || ') select ' || quote_literal(entity_name) || ', ' || v_date_column || ', ' || v_file_column
    || ', cast(s.' || quote_ident(v_config.row_order_column) || ' as bigint), nullif(trim(cast(s.'
    || quote_ident(v_config.key_column) || ' as varchar(256))), ''''), md5(''''' || v_hash || ')' || v_values
    || ' from ' || v_config.source_table || ' s join {{reporting_schema}}.scd2_snapshot_file f on f.entity = '
    || quote_literal(entity_name) || ' and f.snapshot_date = ' || v_date_column || ' and f.file_hash = '
    || v_file_column;

  for v_pending in
    select snapshot_date, file_hash
    from {{reporting_schema}}.scd2_snapshot_file
    where entity = entity_name
    order by snapshot_date
  loop
    insert into {{reporting_schema}}.scd2_reject (
      entity, snapshot_date, file_hash, source_row, native_key, reason, recorded_run_id, recorded_at
    )
    select
      r.entity,
      r.snapshot_date,
      r.file_hash,
      r.source_row,
      r.native_key,
      case
        when r.native_key is null then 'key ' || v_config.key_column || ' is null or blank: row not loaded'
        else 'key ' || v_config.key_column || ' repeated in the snapshot file: a later row of the file is kept'
      end,
      v_run,
      getdate()
    from (
      select
        entity, snapshot_date, file_hash, source_row, native_key,
        row_number() over (partition by native_key order by source_row desc) as key_rank
      from {{reporting_schema}}.scd2_source_row
      where entity = entity_name and snapshot_date = v_pending.snapshot_date
    ) r
    where (r.native_key is null or r.key_rank > 1)
      and not exists (
        select 1
        from {{reporting_schema}}.scd2_reject j
        where j.entity = r.entity
          and j.snapshot_date = r.snapshot_date
          and j.file_hash = r.file_hash
          and coalesce(j.source_row, -1) = coalesce(r.source_row, -1)
      );

    delete from {{reporting_schema}}.scd2_snapshot_stage where entity = entity_name;
    insert into {{reporting_schema}}.scd2_snapshot_stage (
      entity, snapshot_date, native_key, attr_hash,
      attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12
    )
    select
      entity, snapshot_date, native_key, attr_hash,
      attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12
    from (
      select
        r.*,
        row_number() over (partition by native_key order by source_row desc) as key_rank
      from {{reporting_schema}}.scd2_source_row r
      where entity = entity_name and snapshot_date = v_pending.snapshot_date and native_key is not null
    ) ranked
    where key_rank = 1;
    get diagnostics v_rows := row_count;

    call {{reporting_schema}}.sp_scd2_apply(v_run, entity_name, v_pending.snapshot_date);

    select into v_rejected count(*)
    from {{reporting_schema}}.scd2_reject
    where entity = entity_name and snapshot_date = v_pending.snapshot_date and file_hash = v_pending.file_hash;

    delete from {{reporting_schema}}.scd2_applied_snapshot
    where entity = entity_name and snapshot_date = v_pending.snapshot_date;
    insert into {{reporting_schema}}.scd2_applied_snapshot (
      entity, snapshot_date, file_hash, row_count, rejected_count, applied_run_id, applied_at
    )
    values (entity_name, v_pending.snapshot_date, v_pending.file_hash, v_rows, v_rejected, v_run, getdate());

    v_applied := v_applied + 1;
    v_total_rejected := v_total_rejected + v_rejected;
    v_dates := v_dates || case when v_dates = '' then '' else ', ' end || cast(v_pending.snapshot_date as varchar(10));
  end loop;

  delete from {{reporting_schema}}.scd2_source_row where entity = entity_name;
  delete from {{reporting_schema}}.scd2_snapshot_stage where entity = entity_name;
  delete from {{reporting_schema}}.scd2_snapshot_file where entity = entity_name;

  insert into {{reporting_schema}}.procedure_audit (
    run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
  )
  values (
    v_run,
    'sp_scd2_refresh',
    v_started,
    getdate(),
    'SUCCEEDED',
    v_applied,
    0,
    0,
    'entity ' || entity_name || ': ' || cast(v_applied as varchar(20)) || ' snapshot(s) applied'
      || case when v_dates = '' then '' else ' (' || v_dates || ')' end || ', '
      || cast(v_total_rejected as varchar(20)) || ' row(s) rejected'
  );
end;
$$ language plpgsql;
