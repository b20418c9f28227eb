-- sp_scv_consolidate(run_id): links the records of scv_source_record (federated by sp_scv_federate) into customers
-- and writes scv_person (one row per live record) and scv_customer (one row per customer).
-- Linking: each record's match key values come from scv_match_rule (scv_match_rules.sql), each rule naming one of
--   the normalisers written out below (a rule carries no SQL, and nothing here is dynamic SQL); records sharing a
--   non-ambiguous (key_name, value) are one customer, transitively (label propagation: every record starts with its
--   federated id, and takes the smallest id among records sharing a key until nothing changes). customer_id is the
--   smallest federated id among the customer's records.
-- match_key / match_explanation: the strongest key (lowest priority number) the record shares with another record
--   of its customer, or why it stands alone (no key value, a key value shared by different first names, no other
--   record with its keys, no match rule for its source).
-- Survivorship (scv_customer): each attribute is the most recent non-blank value among the customer's records by
--   the record's source timestamp (observed_at), ties broken by source priority (scv_source), then source and
--   native id.
-- Rows whose content is unchanged are left as they are (changed_run_id names the run that last changed a row), so a
-- second call with the same input changes nothing.
create or replace procedure {{reporting_schema}}.sp_scv_consolidate(run_id varchar(128))
as $$
declare
  v_run varchar(128) := run_id;
  v_started timestamp := getdate();
  v_unknown record;
  v_changed bigint := 1;
  v_iterations integer := 0;
  v_person_deleted bigint := 0;
  v_person_inserted bigint := 0;
  v_customer_deleted bigint := 0;
  v_customer_inserted bigint := 0;
begin
  lock {{reporting_schema}}.scv_person;

  -- a rule naming a normaliser this procedure does not know would match nothing in silence: refuse it
  select into v_unknown source, key_name, normaliser
  from {{reporting_schema}}.scv_match_rule
  where normaliser not in ('email', 'phone')
  order by source, key_name
  limit 1;
  if found then
    raise exception 'unknown normaliser "%" for %.%: expected email or phone', v_unknown.normaliser, v_unknown.source, v_unknown.key_name;
  end if;

  -- match key values per record
  delete from {{reporting_schema}}.scv_record_key;
  insert into {{reporting_schema}}.scv_record_key (source, native_id, key_name, key_value, priority, is_ambiguous)
  select distinct source, native_id, key_name, key_value, priority, false
  from (
    select r.source, r.native_id, m.key_name, m.priority,
      cast(case m.normaliser
        when 'email' then case when r.email like '%_@_%' then lower(replace(r.email, ' ', '')) end
        when 'phone' then case when length(r.phone) >= 10 then r.phone end
      end as varchar(1024)) as key_value
    from {{reporting_schema}}.scv_match_rule m
    join {{reporting_schema}}.scv_source_record r on r.source = m.source
  ) k
  where key_value is not null and key_value <> '';

  -- a value shared by records with different first names (a family or shared mailbox) links nobody
  update {{reporting_schema}}.scv_record_key
  set is_ambiguous = true
  from (
    select k.key_name, k.key_value
    from {{reporting_schema}}.scv_record_key k
    join {{reporting_schema}}.scv_source_record r
      on r.source = k.source and r.native_id = k.native_id and r.is_latest
    join {{reporting_schema}}.scv_match_rule m
      on m.source = k.source and m.key_name = k.key_name and m.ambiguous_if_first_names_differ
    where trim(r.first_name) <> ''
    group by k.key_name, k.key_value
    having count(distinct lower(trim(r.first_name))) > 1
  ) shared
  where scv_record_key.key_name = shared.key_name and scv_record_key.key_value = shared.key_value;

  -- label propagation over shared key values
  delete from {{reporting_schema}}.scv_cluster;
  insert into {{reporting_schema}}.scv_cluster (source, native_id, federated_id, customer_id)
  select source, native_id, federated_id, federated_id
  from {{reporting_schema}}.scv_federated_id
  where not is_deleted;

  while v_changed > 0 loop
    v_iterations := v_iterations + 1;
    if v_iterations > 10000 then
      raise exception 'sp_scv_consolidate: linking did not settle after 10000 rounds';
    end if;
    update {{reporting_schema}}.scv_cluster
    set customer_id = smallest.customer_id
    from (
      select k.source, k.native_id, min(v.customer_id) as customer_id
      from {{reporting_schema}}.scv_record_key k
      join (
        select k2.key_name, k2.key_value, min(c2.customer_id) as customer_id
        from {{reporting_schema}}.scv_record_key k2
        join {{reporting_schema}}.scv_cluster c2 on c2.source = k2.source and c2.native_id = k2.native_id
        where not k2.is_ambiguous
        group by k2.key_name, k2.key_value
      ) v on v.key_name = k.key_name and v.key_value = k.key_value
      where not k.is_ambiguous
      group by k.source, k.native_id
    ) smallest
    where scv_cluster.source = smallest.source
      and scv_cluster.native_id = smallest.native_id
      and smallest.customer_id < scv_cluster.customer_id;
    get diagnostics v_changed := row_count;
  end loop;

  -- one row per live record, with its own latest attributes and why it belongs to its customer
  delete from {{reporting_schema}}.scv_person_new;
  insert into {{reporting_schema}}.scv_person_new (
    source, native_id, federated_id, customer_id, first_name, last_name, email, phone, organisation, observed_at,
    match_key, match_explanation, content_hash
  )
  select
    c.source,
    c.native_id,
    c.federated_id,
    c.customer_id,
    r.first_name,
    r.last_name,
    r.email,
    r.phone,
    r.organisation,
    r.observed_at,
    e.match_key,
    e.match_explanation,
    md5(
        coalesce(cast(length(cast(c.federated_id as varchar(20))) as varchar(12)) || ':' || cast(c.federated_id as varchar(20)), 'n')
        || '|' || coalesce(cast(length(cast(c.customer_id as varchar(20))) as varchar(12)) || ':' || cast(c.customer_id as varchar(20)), 'n')
        || '|' || coalesce(cast(length(r.first_name) as varchar(12)) || ':' || r.first_name, 'n')
        || '|' || coalesce(cast(length(r.last_name) as varchar(12)) || ':' || r.last_name, 'n')
        || '|' || coalesce(cast(length(r.email) as varchar(12)) || ':' || r.email, 'n')
        || '|' || coalesce(cast(length(r.phone) as varchar(12)) || ':' || r.phone, 'n')
        || '|' || coalesce(cast(length(r.organisation) as varchar(12)) || ':' || r.organisation, 'n')
        || '|' || coalesce(cast(length(cast(r.observed_at as varchar(30))) as varchar(12)) || ':' || cast(r.observed_at as varchar(30)), 'n')
        || '|' || coalesce(cast(length(e.match_key) as varchar(12)) || ':' || e.match_key, 'n')
        || '|' || coalesce(cast(length(e.match_explanation) as varchar(12)) || ':' || e.match_explanation, 'n')
      )
  from {{reporting_schema}}.scv_cluster c
  join {{reporting_schema}}.scv_source_record r
    on r.source = c.source and r.native_id = c.native_id and r.is_latest
  join (
    select
      c.source,
      c.native_id,
      linked.key_name as match_key,
      case
        when linked.key_name is not null then
          'linked by ' || linked.key_name || ' (match key priority ' || cast(linked.priority as varchar(12))
          || '): shared with ' || cast(linked.others as varchar(12)) || ' other record(s) of customer '
          || cast(c.customer_id as varchar(20))
        when keys.ambiguous_keys > 0 then
          'not linked: its match key value is shared by records with different first names (treated as a shared mailbox)'
        when keys.key_count > 0 then 'not linked: no other record shares its match key values'
        when rules.source is not null then 'not linked: no match key value (e.g. email missing)'
        else 'not linked: no match rule for source ' || c.source
      end as match_explanation
    from {{reporting_schema}}.scv_cluster c
    left join (
      select
        source,
        native_id,
        count(*) as key_count,
        sum(case when is_ambiguous then 1 else 0 end) as ambiguous_keys
      from {{reporting_schema}}.scv_record_key
      group by source, native_id
    ) keys on keys.source = c.source and keys.native_id = c.native_id
    left join (select distinct source from {{reporting_schema}}.scv_match_rule) rules on rules.source = c.source
    left join (
      select source, native_id, key_name, priority, others
      from (
        select
          source,
          native_id,
          key_name,
          priority,
          others,
          row_number() over (partition by source, native_id order by priority, key_name) as key_rank
        from (
          select k.source, k.native_id, k.key_name, k.priority, count(distinct o.source || '|' || o.native_id) as others
          from {{reporting_schema}}.scv_record_key k
          join {{reporting_schema}}.scv_cluster kc on kc.source = k.source and kc.native_id = k.native_id
          join {{reporting_schema}}.scv_record_key o
            on o.key_name = k.key_name
            and o.key_value = k.key_value
            and not o.is_ambiguous
            and (o.source <> k.source or o.native_id <> k.native_id)
          join {{reporting_schema}}.scv_cluster oc
            on oc.source = o.source and oc.native_id = o.native_id and oc.customer_id = kc.customer_id
          where not k.is_ambiguous
          group by k.source, k.native_id, k.key_name, k.priority
        ) shared_keys
      ) ranked_keys
      where key_rank = 1
    ) linked on linked.source = c.source and linked.native_id = c.native_id
  ) e on e.source = c.source and e.native_id = c.native_id;

  -- one row per customer: survivorship per attribute
  delete from {{reporting_schema}}.scv_customer_new;
  insert into {{reporting_schema}}.scv_customer_new (
    customer_id, first_name, last_name, email, phone, organisation, record_count, source_count, first_observed_at,
    last_observed_at, content_hash
  )
  select
    b.customer_id,
    fn.value,
    ln.value,
    em.value,
    ph.value,
    org.value,
    b.record_count,
    b.source_count,
    b.first_observed_at,
    b.last_observed_at,
    md5(
        coalesce(cast(length(cast(b.customer_id as varchar(20))) as varchar(12)) || ':' || cast(b.customer_id as varchar(20)), 'n')
        || '|' || coalesce(cast(length(fn.value) as varchar(12)) || ':' || fn.value, 'n')
        || '|' || coalesce(cast(length(ln.value) as varchar(12)) || ':' || ln.value, 'n')
        || '|' || coalesce(cast(length(em.value) as varchar(12)) || ':' || em.value, 'n')
        || '|' || coalesce(cast(length(ph.value) as varchar(12)) || ':' || ph.value, 'n')
        || '|' || coalesce(cast(length(org.value) as varchar(12)) || ':' || org.value, 'n')
        || '|' || coalesce(cast(length(cast(b.record_count as varchar(12))) as varchar(12)) || ':' || cast(b.record_count as varchar(12)), 'n')
        || '|' || coalesce(cast(length(cast(b.source_count as varchar(12))) as varchar(12)) || ':' || cast(b.source_count as varchar(12)), 'n')
        || '|' || coalesce(cast(length(cast(b.first_observed_at as varchar(30))) as varchar(12)) || ':' || cast(b.first_observed_at as varchar(30)), 'n')
        || '|' || coalesce(cast(length(cast(b.last_observed_at as varchar(30))) as varchar(12)) || ':' || cast(b.last_observed_at as varchar(30)), 'n')
      )
  from (
    select
      customer_id,
      count(*) as record_count,
      count(distinct source) as source_count,
      min(observed_at) as first_observed_at,
      max(observed_at) as last_observed_at
    from {{reporting_schema}}.scv_person_new
    group by customer_id
  ) b
  left join (
      select customer_id, first_name as value
      from (
        select
          p.customer_id,
          p.first_name,
          row_number() over (
            partition by p.customer_id
            order by p.observed_at desc nulls last, s.priority, p.source, p.native_id
          ) as value_rank
        from {{reporting_schema}}.scv_person_new p
        join {{reporting_schema}}.scv_source s on s.source = p.source
        where p.first_name is not null and trim(p.first_name) <> ''
      ) ranked
      where value_rank = 1
    ) fn on fn.customer_id = b.customer_id
  left join (
      select customer_id, last_name as value
      from (
        select
          p.customer_id,
          p.last_name,
          row_number() over (
            partition by p.customer_id
            order by p.observed_at desc nulls last, s.priority, p.source, p.native_id
          ) as value_rank
        from {{reporting_schema}}.scv_person_new p
        join {{reporting_schema}}.scv_source s on s.source = p.source
        where p.last_name is not null and trim(p.last_name) <> ''
      ) ranked
      where value_rank = 1
    ) ln on ln.customer_id = b.customer_id
  left join (
      select customer_id, email as value
      from (
        select
          p.customer_id,
          p.email,
          row_number() over (
            partition by p.customer_id
            order by p.observed_at desc nulls last, s.priority, p.source, p.native_id
          ) as value_rank
        from {{reporting_schema}}.scv_person_new p
        join {{reporting_schema}}.scv_source s on s.source = p.source
        where p.email is not null and trim(p.email) <> ''
      ) ranked
      where value_rank = 1
    ) em on em.customer_id = b.customer_id
  left join (
      select customer_id, phone as value
      from (
        select
          p.customer_id,
          p.phone,
          row_number() over (
            partition by p.customer_id
            order by p.observed_at desc nulls last, s.priority, p.source, p.native_id
          ) as value_rank
        from {{reporting_schema}}.scv_person_new p
        join {{reporting_schema}}.scv_source s on s.source = p.source
        where p.phone is not null and trim(p.phone) <> ''
      ) ranked
      where value_rank = 1
    ) ph on ph.customer_id = b.customer_id
  left join (
      select customer_id, organisation as value
      from (
        select
          p.customer_id,
          p.organisation,
          row_number() over (
            partition by p.customer_id
            order by p.observed_at desc nulls last, s.priority, p.source, p.native_id
          ) as value_rank
        from {{reporting_schema}}.scv_person_new p
        join {{reporting_schema}}.scv_source s on s.source = p.source
        where p.organisation is not null and trim(p.organisation) <> ''
      ) ranked
      where value_rank = 1
    ) org on org.customer_id = b.customer_id;

  -- write only what changed
  delete from {{reporting_schema}}.scv_person
  where not exists (
    select 1
    from {{reporting_schema}}.scv_person_new n
    where n.source = scv_person.source
      and n.native_id = scv_person.native_id
      and n.content_hash = scv_person.content_hash
  );
  get diagnostics v_person_deleted := row_count;
  insert into {{reporting_schema}}.scv_person (
    source, native_id, federated_id, customer_id, first_name, last_name, email, phone, organisation, observed_at,
    match_key, match_explanation, content_hash, changed_run_id
  )
  select
    n.source, n.native_id, n.federated_id, n.customer_id, n.first_name, n.last_name, n.email, n.phone,
    n.organisation, n.observed_at, n.match_key, n.match_explanation, n.content_hash, v_run
  from {{reporting_schema}}.scv_person_new n
  where not exists (
    select 1
    from {{reporting_schema}}.scv_person p
    where p.source = n.source and p.native_id = n.native_id and p.content_hash = n.content_hash
  );
  get diagnostics v_person_inserted := row_count;

  delete from {{reporting_schema}}.scv_customer
  where not exists (
    select 1
    from {{reporting_schema}}.scv_customer_new n
    where n.customer_id = scv_customer.customer_id and n.content_hash = scv_customer.content_hash
  );
  get diagnostics v_customer_deleted := row_count;
  insert into {{reporting_schema}}.scv_customer (
    customer_id, first_name, last_name, email, phone, organisation, record_count, source_count, first_observed_at,
    last_observed_at, content_hash, changed_run_id
  )
  select
    n.customer_id, n.first_name, n.last_name, n.email, n.phone, n.organisation, n.record_count, n.source_count,
    n.first_observed_at, n.last_observed_at, n.content_hash, v_run
  from {{reporting_schema}}.scv_customer_new n
  where not exists (
    select 1
    from {{reporting_schema}}.scv_customer c
    where c.customer_id = n.customer_id and c.content_hash = n.content_hash
  );
  get diagnostics v_customer_inserted := row_count;

  delete from {{reporting_schema}}.scv_person_new;
  delete from {{reporting_schema}}.scv_customer_new;

  insert into {{reporting_schema}}.procedure_audit (
    run_id, procedure_name, started_at, finished_at, status, rows_inserted, rows_updated, rows_deleted, message
  )
  values (
    v_run, 'sp_scv_consolidate', v_started, getdate(), 'SUCCEEDED', v_person_inserted + v_customer_inserted, 0,
    v_person_deleted + v_customer_deleted,
    'person rows written ' || cast(v_person_inserted as varchar(20)) || ', removed '
      || cast(v_person_deleted as varchar(20)) || '; customer rows written '
      || cast(v_customer_inserted as varchar(20)) || ', removed ' || cast(v_customer_deleted as varchar(20))
      || '; linked in ' || cast(v_iterations as varchar(12)) || ' rounds'
  );
end;
$$ language plpgsql;
