-- sp_scd2_apply(run_id, entity_name, applied_date): applies one full snapshot of a snapshot entity, staged in
-- scd2_snapshot_stage (one row per key), to its type 2 history (scd2_history) and change history
-- (scd2_change_history). Called by sp_scd2_refresh once per pending snapshot date, oldest first.
--
-- The history of a key is the run of its states over the applied snapshot dates (a state is the attribute hash, or
-- 'D' when the key is absent from a full snapshot); a version starts wherever the state differs from the state at
-- the snapshot before. Applying snapshot S therefore only touches keys whose state at S differs from the version
-- covering S ("affected" keys); for those the version starts are recomputed:
--   the starts they had (but the one on S), + S with its new state, + the next applied snapshot after S with the
--   state the key had there (so what follows S stays as it was), then consecutive equal states are merged.
-- This one rule gives: in-order snapshots append versions; a value that reverts (A -> B -> A) makes three versions;
-- a key absent from a snapshot gets one deletion version (closed once, whatever runs follow); a key that returns
-- opens a new version; a backdated snapshot (older than the newest applied) splits the version it falls into; the
-- same snapshot applied again changes nothing. Exactly one row per key is current (valid_to = 9999-12-31).
-- Change history rows are the version starts: I (first seen, or back after a deletion), U, D; rows a backdated
-- snapshot contradicts are marked superseded, never deleted.
-- The history table is locked for the call, so two concurrent calls apply one after the other.
create or replace procedure {{reporting_schema}}.sp_scd2_apply(
  run_id varchar(128),
  entity_name varchar(64),
  applied_date date
)
as $$
declare
  v_run varchar(128) := run_id;
  v_date date := applied_date;
  v_started timestamp := getdate();
  v_next date;
  v_affected bigint := 0;
  v_inserted bigint := 0;
  v_updated bigint := 0;
  v_deleted bigint := 0;
  v_changes bigint := 0;
  v_superseded bigint := 0;
begin
  if v_run is null or v_date is null or entity_name is null then
    raise exception 'sp_scd2_apply: run_id, entity_name and applied_date are required (got %, %, %)',
      v_run, entity_name, v_date;
  end if;

  lock {{reporting_schema}}.scd2_history;

  select into v_next min(a.snapshot_date)
  from {{reporting_schema}}.scd2_applied_snapshot a
  where a.entity = entity_name and a.snapshot_date > v_date;

  delete from {{reporting_schema}}.scd2_affected_key where entity = entity_name;
  insert into {{reporting_schema}}.scd2_affected_key (entity, native_key)
  select entity_name, coalesce(s.native_key, h.native_key)
  from (
    select native_key, attr_hash
    from {{reporting_schema}}.scd2_snapshot_stage
    where entity = entity_name and snapshot_date = v_date
  ) s
  full outer join (
    select native_key, case when is_deleted then 'D' else attr_hash end as state
    from {{reporting_schema}}.scd2_history
    where entity = entity_name and valid_from <= v_date and v_date < valid_to
  ) h on h.native_key = s.native_key
  where coalesce(s.attr_hash, 'D') <> coalesce(h.state, 'D');
  get diagnostics v_affected := row_count;

  if v_affected > 0 then
    delete from {{reporting_schema}}.scd2_point where entity = entity_name;

    -- the version starts that stay: all but one on the applied date
    insert into {{reporting_schema}}.scd2_point (entity, native_key, point_date, state, attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12)
    select
      h.entity,
      h.native_key,
      h.valid_from,
      case when h.is_deleted then 'D' else h.attr_hash end,
      h.attr_01, h.attr_02, h.attr_03, h.attr_04, h.attr_05, h.attr_06,
      h.attr_07, h.attr_08, h.attr_09, h.attr_10, h.attr_11, h.attr_12
    from {{reporting_schema}}.scd2_history h
    join {{reporting_schema}}.scd2_affected_key k on k.entity = h.entity and k.native_key = h.native_key
    where h.entity = entity_name and h.valid_from <> v_date;

    -- the applied snapshot's state
    insert into {{reporting_schema}}.scd2_point (entity, native_key, point_date, state, attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12)
    select
      k.entity,
      k.native_key,
      v_date,
      coalesce(s.attr_hash, 'D'),
      s.attr_01, s.attr_02, s.attr_03, s.attr_04, s.attr_05, s.attr_06,
      s.attr_07, s.attr_08, s.attr_09, s.attr_10, s.attr_11, s.attr_12
    from {{reporting_schema}}.scd2_affected_key k
    left join {{reporting_schema}}.scd2_snapshot_stage s
      on s.entity = k.entity and s.native_key = k.native_key and s.snapshot_date = v_date
    where k.entity = entity_name;

    -- from the next applied snapshot on, the key keeps the state it had there
    if v_next is not null then
      insert into {{reporting_schema}}.scd2_point (entity, native_key, point_date, state, attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12)
      select
        k.entity,
        k.native_key,
        v_next,
        case when h.native_key is null or h.is_deleted then 'D' else h.attr_hash end,
      h.attr_01, h.attr_02, h.attr_03, h.attr_04, h.attr_05, h.attr_06,
      h.attr_07, h.attr_08, h.attr_09, h.attr_10, h.attr_11, h.attr_12
      from {{reporting_schema}}.scd2_affected_key k
      left join {{reporting_schema}}.scd2_history h
        on h.entity = k.entity and h.native_key = k.native_key and h.valid_from <= v_next and v_next < h.valid_to
      where k.entity = entity_name and (h.native_key is null or h.valid_from < v_next);
    end if;

    -- merge consecutive equal states (leading deletions vanish), then close each version at the next start
    delete from {{reporting_schema}}.scd2_history_new where entity = entity_name;
    insert into {{reporting_schema}}.scd2_history_new (
      entity, native_key, valid_from, valid_to, is_current, is_deleted, attr_hash,
      attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12,
      created_run_id, updated_run_id
    )
    select
      p.entity,
      p.native_key,
      p.point_date,
      coalesce(lead(p.point_date) over (partition by p.native_key order by p.point_date), cast('9999-12-31' as date)),
      lead(p.point_date) over (partition by p.native_key order by p.point_date) is null,
      p.state = 'D',
      case when p.state = 'D' then null else p.state end,
      p.attr_01, p.attr_02, p.attr_03, p.attr_04, p.attr_05, p.attr_06,
      p.attr_07, p.attr_08, p.attr_09, p.attr_10, p.attr_11, p.attr_12,
      v_run,
      v_run
    from (
      select
        entity, native_key, point_date, state,
        lag(state) over (partition by native_key order by point_date) as previous_state,
      attr_01, attr_02, attr_03, attr_04, attr_05, attr_06,
      attr_07, attr_08, attr_09, attr_10, attr_11, attr_12
      from {{reporting_schema}}.scd2_point
      where entity = entity_name
    ) p
    where p.state <> coalesce(p.previous_state, 'D');

    -- versions that existed before keep the run that created them, and the run that last closed them
    update {{reporting_schema}}.scd2_history_new
    set
      created_run_id = h.created_run_id,
      updated_run_id = case
        when h.valid_to = scd2_history_new.valid_to then h.updated_run_id
        else scd2_history_new.updated_run_id
      end
    from {{reporting_schema}}.scd2_history h
    where scd2_history_new.entity = entity_name
      and h.entity = scd2_history_new.entity
      and h.native_key = scd2_history_new.native_key
      and h.valid_from = scd2_history_new.valid_from
      and coalesce(h.attr_hash, 'D') = coalesce(scd2_history_new.attr_hash, 'D');

    select into v_deleted count(*)
    from {{reporting_schema}}.scd2_history h
    join {{reporting_schema}}.scd2_affected_key k on k.entity = h.entity and k.native_key = h.native_key
    where h.entity = entity_name
      and not exists (
        select 1
        from {{reporting_schema}}.scd2_history_new n
        where n.entity = h.entity
          and n.native_key = h.native_key
          and n.valid_from = h.valid_from
          and coalesce(n.attr_hash, 'D') = coalesce(h.attr_hash, 'D')
      );
    select into v_inserted, v_updated
      coalesce(sum(case when h.native_key is null then 1 else 0 end), 0),
      coalesce(sum(case when h.native_key is not null and h.valid_to <> n.valid_to then 1 else 0 end), 0)
    from {{reporting_schema}}.scd2_history_new n
    left join {{reporting_schema}}.scd2_history h
      on h.entity = n.entity
      and h.native_key = n.native_key
      and h.valid_from = n.valid_from
      and coalesce(h.attr_hash, 'D') = coalesce(n.attr_hash, 'D')
    where n.entity = entity_name;

    delete from {{reporting_schema}}.scd2_history
    using {{reporting_schema}}.scd2_affected_key k
    where scd2_history.entity = entity_name and k.entity = scd2_history.entity and k.native_key = scd2_history.native_key;
    insert into {{reporting_schema}}.scd2_history (
      entity, native_key, valid_from, valid_to, is_current, is_deleted, attr_hash,
      attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12,
      created_run_id, updated_run_id
    )
    select
      entity, native_key, valid_from, valid_to, is_current, is_deleted, attr_hash,
      attr_01, attr_02, attr_03, attr_04, attr_05, attr_06, attr_07, attr_08, attr_09, attr_10, attr_11, attr_12,
      created_run_id, updated_run_id
    from {{reporting_schema}}.scd2_history_new
    where entity = entity_name;

    -- change history: each version start of an affected key is a change against the snapshot before it
    delete from {{reporting_schema}}.scd2_change_new where entity = entity_name;
    insert into {{reporting_schema}}.scd2_change_new (
      entity, native_key, snapshot_date, change_type, old_attr_hash, new_attr_hash
    )
    select
      entity,
      native_key,
      valid_from,
      case
        when is_deleted then 'D'
        when lag(attr_hash) over (partition by native_key order by valid_from) is null then 'I'
        else 'U'
      end,
      lag(attr_hash) over (partition by native_key order by valid_from),
      attr_hash
    from {{reporting_schema}}.scd2_history_new
    where entity = entity_name;

    update {{reporting_schema}}.scd2_change_history
    set superseded_run_id = v_run, superseded_at = getdate()
    where entity = entity_name
      and superseded_run_id is null
      and native_key in (select native_key from {{reporting_schema}}.scd2_affected_key where entity = entity_name)
      and not exists (
        select 1
        from {{reporting_schema}}.scd2_change_new c
        where c.entity = scd2_change_history.entity
          and c.native_key = scd2_change_history.native_key
          and c.snapshot_date = scd2_change_history.snapshot_date
          and c.change_type = scd2_change_history.change_type
          and coalesce(c.old_attr_hash, '') = coalesce(scd2_change_history.old_attr_hash, '')
          and coalesce(c.new_attr_hash, '') = coalesce(scd2_change_history.new_attr_hash, '')
      );
    get diagnostics v_superseded := row_count;

    insert into {{reporting_schema}}.scd2_change_history (
      entity, native_key, snapshot_date, change_type, old_attr_hash, new_attr_hash, recorded_run_id, recorded_at
    )
    select c.entity, c.native_key, c.snapshot_date, c.change_type, c.old_attr_hash, c.new_attr_hash, v_run, getdate()
    from {{reporting_schema}}.scd2_change_new c
    where c.entity = entity_name
      and not exists (
        select 1
        from {{reporting_schema}}.scd2_change_history h
        where h.superseded_run_id is null
          and h.entity = c.entity
          and h.native_key = c.native_key
          and h.snapshot_date = c.snapshot_date
          and h.change_type = c.change_type
          and coalesce(h.old_attr_hash, '') = coalesce(c.old_attr_hash, '')
          and coalesce(h.new_attr_hash, '') = coalesce(c.new_attr_hash, '')
      );
    get diagnostics v_changes := row_count;

    delete from {{reporting_schema}}.scd2_point where entity = entity_name;
    delete from {{reporting_schema}}.scd2_history_new where entity = entity_name;
    delete from {{reporting_schema}}.scd2_change_new where entity = entity_name;
  end if;
  delete from {{reporting_schema}}.scd2_affected_key where entity = entity_name;

  insert into {{reporting_schema}}.procedure_audit (
    run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
  )
  values (
    v_run,
    'sp_scd2_apply',
    v_started,
    getdate(),
    'SUCCEEDED',
    v_inserted,
    v_updated,
    v_deleted,
    'entity ' || entity_name || ', snapshot ' || cast(v_date as varchar(10)) || ': ' || cast(v_affected as varchar(20))
      || ' keys changed, ' || cast(v_changes as varchar(20)) || ' changes recorded, '
      || cast(v_superseded as varchar(20)) || ' superseded'
  );
end;
$$ language plpgsql;
