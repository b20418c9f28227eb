-- sp_scv_federate(run_id): one federated id per (source, native_id) in scv_source_record, kept for ever.
-- A pair's id is a function of the pair alone: the first 12 hex digits (48 bits) of md5(source || '|' || native_id)
-- as a bigint, at most 15 digits, so it survives a spreadsheet and a JavaScript number intact. Ids therefore do not
-- depend on the order records arrived in or on which run first saw them: a warehouse rebuilt from scratch, or a run
-- recovered after a crash by another path, numbers every record as a clean run does. A pair whose id is taken (by an
-- older pair, or by a new pair earlier in (source, native_id) order) tries md5('1|' || ...), then '2|', ... up to
-- 7 (odds of a first clash: ~n^2/2^49, about 1 in 560 at a million records); only such a pair's id can depend on
-- arrival order. A pair no longer present is marked is_deleted and keeps its id; if it comes back it has the same id
-- again. Ids given by an earlier version of this procedure (1, 2, 3 ...) are kept as they are.
-- Idempotent: with the same records a second call changes nothing.
create or replace procedure {{reporting_schema}}.sp_scv_federate(run_id varchar(128))
as $$
declare
  v_run varchar(128) := run_id;
  v_started timestamp := getdate();
  v_pending bigint := 0;
  v_claimed bigint := 0;
  v_salt integer := 0;
  v_inserted bigint := 0;
  v_deleted bigint := 0;
  v_returned bigint := 0;
begin
  lock {{reporting_schema}}.scv_federated_id;

  drop table if exists scv_pending;
  create temp table scv_pending (source varchar(64) not null, native_id varchar(256) not null);
  insert into scv_pending (source, native_id)
  select distinct r.source, r.native_id
  from {{reporting_schema}}.scv_source_record r
  where not exists (
    select 1
    from {{reporting_schema}}.scv_federated_id f
    where f.source = r.source and f.native_id = r.native_id
  );
  select into v_pending count(*) from scv_pending;

  drop table if exists scv_candidate;
  create temp table scv_candidate (
    source varchar(64) not null,
    native_id varchar(256) not null,
    federated_id bigint not null
  );
  while v_pending > 0 loop
    if v_salt > 7 then
      raise exception 'sp_scv_federate: % records found no free federated id in 8 tries', v_pending;
    end if;
    delete from scv_candidate;
    -- Each pending pair's id for this try; the first pair (by source, native_id) of an id not yet taken wins it.
    insert into scv_candidate (source, native_id, federated_id)
    select source, native_id, federated_id
    from (
      select
        c.source,
        c.native_id,
        c.federated_id,
        row_number() over (partition by c.federated_id order by c.source, c.native_id) as claim
      from (
        select
          p.source,
          p.native_id,
          strtol(
            substring(
              md5(case when v_salt = 0 then '' else cast(v_salt as varchar(1)) || '|' end || p.source || '|' || p.native_id),
              1,
              12
            ),
            16
          ) as federated_id
        from scv_pending p
      ) c
      where not exists (
        select 1 from {{reporting_schema}}.scv_federated_id f where f.federated_id = c.federated_id
      )
    ) ranked
    where claim = 1;

    insert into {{reporting_schema}}.scv_federated_id (
      source, native_id, federated_id, first_seen_run_id, first_seen_at, is_deleted, changed_run_id, changed_at
    )
    select source, native_id, federated_id, v_run, getdate(), false, v_run, getdate()
    from scv_candidate;
    get diagnostics v_claimed := row_count;
    v_inserted := v_inserted + v_claimed;

    delete from scv_pending
    using scv_candidate c
    where scv_pending.source = c.source and scv_pending.native_id = c.native_id;
    v_pending := v_pending - v_claimed;
    v_salt := v_salt + 1;
  end loop;
  drop table scv_candidate;
  drop table scv_pending;

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
