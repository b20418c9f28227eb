-- sp_user_journey(run_id): loads the user journey model from the TxMA stage tables (Spectrum over the Glue stage
-- database): dim_event, fact_user_journey_event (one row per event_id, for ever), err_duplicate_event (every other
-- copy of a loaded event, once each), dim_date (every date of the fact), and uj_stage_watermark.
--
-- Incremental: a run reads only the stage partitions (source_family, processed_date) whose row count differs from
-- the one recorded in uj_stage_watermark when they were last loaded: new delivery days, and old days a backfill or a
-- late file re-wrote. Every candidate row is anti-joined on event_id to the fact, so reading a partition again never
-- loads an event twice.
--
-- Idempotent: with the same stage data, a second call (same or new run id) changes no table but procedure_audit.
-- Every call writes one procedure_audit row: SUCCEEDED with counts, or FAILED with the warehouse's error text, and
-- then the error is raised again so the procedure runner reports it. The load itself is all or nothing.
--
-- Families: every TxMA stage table is read; a disabled family's table is empty and contributes nothing.
create or replace procedure {{reporting_schema}}.sp_user_journey(run_id varchar(128))
as $$
declare
  v_run_id varchar(128);
  v_started timestamp;
  v_error varchar(4096);
  v_partitions bigint := 0;
  v_candidates bigint := 0;
  v_events bigint := 0;
  v_facts bigint := 0;
  v_duplicates bigint := 0;
  v_dates bigint := 0;
  v_max_event_key integer;
  v_first_date date;
  v_last_date date;
begin
  v_run_id := run_id;
  v_started := getdate();
  if v_run_id is null or trim(v_run_id) = '' then
    raise exception 'sp_user_journey: run_id is required (got %)', coalesce(v_run_id, 'NULL');
  end if;

  begin
    -- Two runs must not interleave: the second waits, then sees what the first loaded.
    lock {{reporting_schema}}.fact_user_journey_event, {{reporting_schema}}.err_duplicate_event,
      {{reporting_schema}}.dim_event, {{reporting_schema}}.dim_date, {{reporting_schema}}.uj_stage_watermark;

    -- 1. Rows per stage partition now.
    drop table if exists uj_stage_now;
    create temp table uj_stage_now (
      source_family varchar(128) not null,
      processed_date date not null,
      row_count bigint not null
    );
    insert into uj_stage_now (source_family, processed_date, row_count)
    select 'auth_account_creation', processed_date, count(*)
    from {{stage_schema}}.auth_account_creation where processed_date is not null group by processed_date
    union all
    select 'ipv_identity_journey', processed_date, count(*)
    from {{stage_schema}}.ipv_identity_journey where processed_date is not null group by processed_date
    union all
    select 'dcmaw_app_journey', processed_date, count(*)
    from {{stage_schema}}.dcmaw_app_journey where processed_date is not null group by processed_date
    union all
    select 'orch_spot', processed_date, count(*)
    from {{stage_schema}}.orch_spot where processed_date is not null group by processed_date;

    -- 2. Partitions that are new, or changed since they were loaded (row_count NULL: the partition is gone).
    drop table if exists uj_changed;
    create temp table uj_changed (
      source_family varchar(128) not null,
      processed_date date not null,
      row_count bigint
    );
    insert into uj_changed (source_family, processed_date, row_count)
    select coalesce(n.source_family, w.source_family), coalesce(n.processed_date, w.processed_date), n.row_count
    from uj_stage_now n
    full outer join {{reporting_schema}}.uj_stage_watermark w
      on w.source_family = n.source_family and w.processed_date = n.processed_date
    where n.row_count is null or w.row_count is null or n.row_count <> w.row_count;
    select count(*) into v_partitions from uj_changed;

    -- 3. The stage rows of those partitions.
    drop table if exists uj_candidate;
    create temp table uj_candidate (
      source_family varchar(128) not null,
      event_id varchar(128) not null,
      event_name varchar(128),
      event_at timestamp,
      event_date date,
      user_id varchar(256),
      govuk_signin_journey_id varchar(256),
      session_id varchar(256),
      client_id varchar(256),
      component_id varchar(512),
      processed_date date not null
    )
    distkey (event_id);
    insert into uj_candidate (
      source_family, event_id, event_name, event_at, event_date, user_id, govuk_signin_journey_id, session_id,
      client_id, component_id, processed_date
    )
    select c.source_family, s.event_id, s.event_name, s.event_at, s.event_date, s.user_id, s.govuk_signin_journey_id,
      s.session_id, s.client_id, s.component_id, s.processed_date
    from {{stage_schema}}.auth_account_creation s
    join uj_changed c
      on c.source_family = 'auth_account_creation' and c.processed_date = s.processed_date
    where s.event_id is not null
    union all
    select c.source_family, s.event_id, s.event_name, s.event_at, s.event_date, s.user_id, s.govuk_signin_journey_id,
      s.session_id, s.client_id, s.component_id, s.processed_date
    from {{stage_schema}}.ipv_identity_journey s
    join uj_changed c
      on c.source_family = 'ipv_identity_journey' and c.processed_date = s.processed_date
    where s.event_id is not null
    union all
    select c.source_family, s.event_id, s.event_name, s.event_at, s.event_date, s.user_id, s.govuk_signin_journey_id,
      s.session_id, s.client_id, s.component_id, s.processed_date
    from {{stage_schema}}.dcmaw_app_journey s
    join uj_changed c
      on c.source_family = 'dcmaw_app_journey' and c.processed_date = s.processed_date
    where s.event_id is not null
    union all
    select c.source_family, s.event_id, s.event_name, s.event_at, s.event_date, s.user_id, s.govuk_signin_journey_id,
      s.session_id, s.client_id, s.component_id, s.processed_date
    from {{stage_schema}}.orch_spot s
    join uj_changed c
      on c.source_family = 'orch_spot' and c.processed_date = s.processed_date
    where s.event_id is not null;
    get diagnostics v_candidates := row_count;

    -- 4. dim_event: names seen for the first time get the next keys, in name order; existing keys never change.
    select coalesce(max(event_key), 0) into v_max_event_key from {{reporting_schema}}.dim_event;
    insert into {{reporting_schema}}.dim_event (event_key, event_name, product_family, first_loaded_run_id, created_at)
    select v_max_event_key + cast(row_number() over (order by n.event_name) as integer), n.event_name,
      n.product_family, v_run_id, v_started
    from (
      select c.event_name, min(c.source_family) as product_family
      from uj_candidate c
      where c.event_name is not null
        and not exists (select 1 from {{reporting_schema}}.dim_event d where d.event_name = c.event_name)
      group by c.event_name
    ) n;
    get diagnostics v_events := row_count;

    -- 5. The fact: events not loaded yet, one copy each (earliest event_at, then delivery day, then family).
    insert into {{reporting_schema}}.fact_user_journey_event (
      event_id, date_key, event_key, event_at, event_date, user_id, govuk_signin_journey_id, session_id, client_id,
      component_id, source_family, processed_date, loaded_run_id, loaded_at
    )
    select r.event_id, cast(to_char(r.event_date, 'YYYYMMDD') as integer), e.event_key, r.event_at, r.event_date,
      r.user_id, r.govuk_signin_journey_id, r.session_id, r.client_id, r.component_id, r.source_family,
      r.processed_date, v_run_id, v_started
    from (
      select c.event_id, c.event_name, c.event_at, c.event_date, c.user_id, c.govuk_signin_journey_id, c.session_id,
        c.client_id, c.component_id, c.source_family, c.processed_date,
        row_number() over (
          partition by c.event_id order by c.event_at, c.processed_date, c.source_family
        ) as copy_rank
      from uj_candidate c
      where not exists (
        select 1 from {{reporting_schema}}.fact_user_journey_event f where f.event_id = c.event_id
      )
    ) r
    left join {{reporting_schema}}.dim_event e on e.event_name = r.event_name
    where r.copy_rank = 1;
    get diagnostics v_facts := row_count;

    -- 6. Every other copy of a loaded event, once per (event_id, source_family, processed_date).
    insert into {{reporting_schema}}.err_duplicate_event (
      event_id, source_family, processed_date, event_name, event_at, first_source_family, first_processed_date,
      first_event_at, first_loaded_run_id, duplicate_run_id, duplicate_seen_at
    )
    select c.event_id, c.source_family, c.processed_date, c.event_name, c.event_at, f.source_family,
      f.processed_date, f.event_at, f.loaded_run_id, v_run_id, v_started
    from uj_candidate c
    join {{reporting_schema}}.fact_user_journey_event f on f.event_id = c.event_id
    where (f.source_family <> c.source_family or f.processed_date <> c.processed_date)
      and not exists (
        select 1 from {{reporting_schema}}.err_duplicate_event d
        where d.event_id = c.event_id and d.source_family = c.source_family and d.processed_date = c.processed_date
      );
    get diagnostics v_duplicates := row_count;

    -- 7. dim_date: every day from the first to the last fact date (up to 10,000 days), and any fact date outside
    --    that span, that is not there yet.
    select min(event_date), max(event_date) into v_first_date, v_last_date
    from {{reporting_schema}}.fact_user_journey_event;
    drop table if exists uj_digit;
    create temp table uj_digit (n integer not null);
    insert into uj_digit (n)
    select 0 union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9;
    drop table if exists uj_day;
    create temp table uj_day (calendar_date date not null);
    if v_first_date is not null then
      insert into uj_day (calendar_date)
      select v_first_date + (d1.n + 10 * d2.n + 100 * d3.n + 1000 * d4.n)
      from uj_digit d1 cross join uj_digit d2 cross join uj_digit d3 cross join uj_digit d4
      where v_first_date + (d1.n + 10 * d2.n + 100 * d3.n + 1000 * d4.n) <= v_last_date
      union
      select distinct event_date from {{reporting_schema}}.fact_user_journey_event where event_date is not null;
    end if;
    insert into {{reporting_schema}}.dim_date (
      date_key, calendar_date, day_of_week, day_name, day_of_month, day_of_year, iso_week, iso_year,
      week_start_date, month, month_name, quarter, year, is_weekend
    )
    select
      cast(to_char(w.calendar_date, 'YYYYMMDD') as integer),
      w.calendar_date,
      w.iso_dow,
      case w.iso_dow
        when 1 then 'Monday' when 2 then 'Tuesday' when 3 then 'Wednesday' when 4 then 'Thursday'
        when 5 then 'Friday' when 6 then 'Saturday' else 'Sunday'
      end,
      cast(extract(day from w.calendar_date) as smallint),
      cast(extract(doy from w.calendar_date) as smallint),
      -- the ISO week and year are those of the week's Thursday
      cast((cast(extract(doy from w.calendar_date + (4 - w.iso_dow)) as integer) - 1) / 7 + 1 as smallint),
      cast(extract(year from w.calendar_date + (4 - w.iso_dow)) as smallint),
      w.calendar_date - (w.iso_dow - 1),
      cast(extract(month from w.calendar_date) as smallint),
      case cast(extract(month from w.calendar_date) as integer)
        when 1 then 'January' when 2 then 'February' when 3 then 'March' when 4 then 'April' when 5 then 'May'
        when 6 then 'June' when 7 then 'July' when 8 then 'August' when 9 then 'September' when 10 then 'October'
        when 11 then 'November' else 'December'
      end,
      cast(extract(quarter from w.calendar_date) as smallint),
      cast(extract(year from w.calendar_date) as smallint),
      w.iso_dow >= 6
    from (
      select u.calendar_date,
        case cast(extract(dow from u.calendar_date) as integer)
          when 0 then 7 else cast(extract(dow from u.calendar_date) as integer)
        end as iso_dow
      from uj_day u
      where not exists (
        select 1 from {{reporting_schema}}.dim_date x where x.calendar_date = u.calendar_date
      )
    ) w;
    get diagnostics v_dates := row_count;

    -- 8. Record the partitions read at their current row counts (and forget the ones that are gone).
    delete from {{reporting_schema}}.uj_stage_watermark
    using uj_changed c
    where {{reporting_schema}}.uj_stage_watermark.source_family = c.source_family
      and {{reporting_schema}}.uj_stage_watermark.processed_date = c.processed_date;
    insert into {{reporting_schema}}.uj_stage_watermark (
      source_family, processed_date, row_count, loaded_run_id, loaded_at
    )
    select source_family, processed_date, row_count, v_run_id, v_started
    from uj_changed
    where row_count is not null;

    drop table if exists uj_candidate;
    drop table if exists uj_changed;
    drop table if exists uj_stage_now;
    drop table if exists uj_day;
    drop table if exists uj_digit;

    insert into {{reporting_schema}}.procedure_audit (
      run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
    )
    values (
      v_run_id, 'sp_user_journey', v_started, getdate(), 'SUCCEEDED', v_facts, 0, 0,
      'partitions read ' || cast(v_partitions as varchar(20))
        || ', stage rows read ' || cast(v_candidates as varchar(20))
        || ', fact rows inserted ' || cast(v_facts as varchar(20))
        || ', duplicates recorded ' || cast(v_duplicates as varchar(20))
        || ', dim_event rows inserted ' || cast(v_events as varchar(20))
        || ', dim_date rows inserted ' || cast(v_dates as varchar(20))
    );
  exception when others then
    -- Redshift rolls the load back, runs this in a new transaction, commits it and raises the error again;
    -- Postgres rolls the block back and carries on below, where the error is raised after a commit.
    v_error := left(SQLERRM, 1000);
    insert into {{reporting_schema}}.procedure_audit (
      run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
    )
    values (v_run_id, 'sp_user_journey', v_started, getdate(), 'FAILED', 0, 0, 0, v_error);
  end;

  if v_error is not null then
    commit;
    raise exception 'sp_user_journey(%) failed: %', v_run_id, v_error;
  end if;
end;
$$ language plpgsql;
