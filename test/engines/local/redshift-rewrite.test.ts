import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PgliteWarehouse } from '../../../lib/engines/local/pglite-warehouse.ts';
import { rewriteRedshiftForLocal } from '../../../lib/engines/local/redshift-rewrite.ts';

describe('the Redshift statement rewriter', () => {
  test('never rewrites inside string literals, quoted identifiers or comments', () => {
    const sql = `select 'sysdate nvl(a,b) top 5', "sysdate", e'it\\'s sysdate' -- sysdate\n/* dateadd(day, 1, x) */ from t`;
    assert.equal(rewriteRedshiftForLocal(sql), sql);
  });

  test('rewrites inside a procedure body but not inside other dollar-quoted strings', () => {
    const sql = 'create procedure p() as $$ begin perform sysdate; raise info $q$sysdate$q$; end $$ language plpgsql';
    assert.equal(
      rewriteRedshiftForLocal(sql),
      'create procedure p() as $$ begin perform localtimestamp; raise info $q$sysdate$q$; end $$ language plpgsql',
    );
  });

  test('MINUS before a parenthesised query is the set operator too, not a call', () => {
    assert.equal(
      rewriteRedshiftForLocal('select a from t minus (select a from u)'),
      'select a from t except (select a from u)',
    );
  });

  test('a grant to a ROLE is real (Postgres names the role without ROLE); grants to groups and users are no-ops', () => {
    assert.equal(
      rewriteRedshiftForLocal('grant execute on procedure s.p(varchar) to role dap_reporting'),
      'grant execute on procedure s.p(varchar) to dap_reporting',
    );
    assert.equal(
      rewriteRedshiftForLocal('revoke usage on schema s from role dap_reporting;'),
      'revoke usage on schema s from dap_reporting;',
    );
    assert.equal(
      rewriteRedshiftForLocal('alter default privileges in schema s grant select on tables to role r;'),
      'alter default privileges in schema s grant select on tables to r;',
    );
    assert.equal(
      rewriteRedshiftForLocal('alter default privileges in schema s grant execute on procedures to role r'),
      'alter default privileges in schema s grant execute on routines to r',
    );
    assert.equal(rewriteRedshiftForLocal('grant select on all tables in schema s to group analysts;'), ';');
  });

  test('DATETIME as a type, late-binding views, three-part names of the database, users and groups', () => {
    assert.equal(
      rewriteRedshiftForLocal('create table s.t (a datetime, "b" datetime not null, datetime int)'),
      'create table s.t (a timestamp, "b" timestamp not null, datetime int)',
    );
    assert.equal(
      rewriteRedshiftForLocal("select cast('2024-01-01' as datetime), x::datetime"),
      "select cast('2024-01-01' as timestamp), x::timestamp",
    );
    assert.equal(
      rewriteRedshiftForLocal('create view s.v as select a from s.t with no schema binding;'),
      'create view s.v as select a from s.t ;',
    );
    assert.equal(
      rewriteRedshiftForLocal('select d.conformed.t.a from dap_db.conformed.t join other.s.u on true', {
        database: 'DAP_DB',
      }),
      'select d.conformed.t.a from conformed.t join other.s.u on true',
    );
    assert.equal(
      rewriteRedshiftForLocal('create user etl password disable; alter group g add user etl; drop user etl;'),
      '; ; ;',
    );
  });

  test('three-part names of the database quoted as DAP writes them, in any case', () => {
    // Prepare
    const sql =
      'update "dap_db"."conformed"."dim_party" set name = x from "DAP_DB".conformed."ref" r, "other"."s"."t" u';

    // Act
    const local = rewriteRedshiftForLocal(sql, { database: 'dap_db' });

    // Assess
    assert.equal(local, 'update "conformed"."dim_party" set name = x from conformed."ref" r, "other"."s"."t" u');
  });

  test('ALTER TABLE ... ALTER DISTKEY / DISTSTYLE / SORTKEY / ENCODE changes only the layout: nothing locally', () => {
    // Prepare
    const statements = [
      'alter table s.f alter distkey user_key;',
      'ALTER TABLE s.f\nALTER DISTSTYLE KEY DISTKEY user_key;',
      'alter table s.f alter compound sortkey (a, b);',
      'alter table s.f alter sortkey auto;',
      'alter table s.f alter encode auto;',
      'alter table s.f alter column c encode lzo;',
    ];

    // Act
    const local = statements.map((sql) => rewriteRedshiftForLocal(sql));

    // Assess
    assert.deepEqual(local, [';', ';', ';', ';', ';', ';']);
    assert.equal(rewriteRedshiftForLocal('alter table s.f add column c int;'), 'alter table s.f add column c int;');
    assert.equal(
      rewriteRedshiftForLocal(
        'create procedure p() as $$ begin alter table s.f alter distkey k; end $$ language plpgsql',
      ),
      'create procedure p() as $$ begin null; end $$ language plpgsql',
    );
  });

  test('a DISTSTYLE with nothing after it ends the rewrite instead of looping', () => {
    assert.equal(rewriteRedshiftForLocal('create table t (a int) diststyle'), 'create table t (a int) ');
  });

  test('quotes unquoted date parts and leaves qualified names alone', () => {
    assert.equal(
      rewriteRedshiftForLocal('select dateadd(day, 1, d), s.sysdate from s'),
      "select dateadd('day', 1, d), s.sysdate from s",
    );
  });

  test('TOP n becomes LIMIT n at the end of its own SELECT', () => {
    assert.equal(
      rewriteRedshiftForLocal('select top 3 a from (select top 1 b from t) x order by a;'),
      'select  a from (select  b from t limit 1) x order by a limit 3;',
    );
  });

  test('SUPER navigation of a value named in the statement becomes a jsonb lookup with the name in lower case', () => {
    // Prepare: DAP's shape, a parsed evidence item named in a subquery and navigated outside it through NVL2
    const sql = [
      'select nvl2(doc, doc.activityHistoryScore, doc) as score, d.doc.checks[0]."Kind" as kind, d.doc_id',
      'from (select case when ok then json_parse(evidence) else null end as doc, id as doc_id from t) d;',
      'select doc.a from t doc',
    ].join('\n');

    // Act
    const rewritten = rewriteRedshiftForLocal(sql);

    // Assess: the second statement's doc is a table alias, not a SUPER value
    assert.equal(
      rewritten,
      [
        "select (case when (doc) is not null then ((doc -> 'activityhistoryscore')) else (doc) end) as score, (d.doc -> 'checks' -> (0) -> 'kind') as kind, d.doc_id",
        'from (select case when ok then json_parse(evidence) else null end as doc, id as doc_id from t) d;',
        'select doc.a from t doc',
      ].join('\n'),
    );
  });

  test('a cast of a navigated SUPER value reads its scalar; a literal compared with one is a SUPER scalar', () => {
    // Prepare
    const sql =
      "select v.score::integer, v.kind::varchar(20), v.ok::boolean from (select json_parse(j) as v from t) x where v.kind = 'data' and v.score > 2";

    // Act
    const rewritten = rewriteRedshiftForLocal(sql);

    // Assess
    assert.equal(
      rewritten,
      "select rs_super_to_numeric(v -> 'score')::integer, rs_super_to_text(v -> 'kind')::varchar(20), rs_super_to_boolean(v -> 'ok')::boolean from (select json_parse(j) as v from t) x where (v -> 'kind') = to_jsonb('data'::text) and (v -> 'score') > to_jsonb(2)",
    );
  });

  test('quoted identifiers are folded to lower case, as Redshift does by default', () => {
    assert.equal(
      rewriteRedshiftForLocal('select "TYPE", "timestamp" from "Conformed".t'),
      'select "type", "timestamp" from "conformed".t',
    );
  });

  test('CREATE SCHEMA names the schema without the configured database', () => {
    assert.equal(
      rewriteRedshiftForLocal('create schema if not exists dap_db.reference_data;', { database: 'dap_db' }),
      'create schema if not exists reference_data;',
    );
  });

  test('stays linear on a long statement', () => {
    const long = `select ${Array.from({ length: 20_000 }, (_, i) => `nvl(c${i}, 0)`).join(', ')} from t`;
    const rewritten = rewriteRedshiftForLocal(long);
    assert.ok(rewritten.startsWith('select coalesce(c0, 0), coalesce(c1, 0)'));
  });
});

describe('Redshift DDL on the local warehouse', () => {
  let warehouse: PgliteWarehouse;
  before(async () => {
    warehouse = await PgliteWarehouse.open();
  });
  after(async () => {
    await warehouse.close();
  });

  test('IDENTITY(seed, step), DISTKEY, SORTKEY, DISTSTYLE, ENCODE, BACKUP NO, VARCHAR(MAX) and SUPER', async () => {
    // CREATE TABLE (Amazon Redshift Database Developer Guide): table and column attributes.
    await warehouse.execute(`
      create table public.sales_fact (
        sale_id bigint identity(0, 1),
        seller varchar(max) encode lzo,
        region nvarchar(20) encode zstd distkey,
        amount decimal(10,2) encode az64 sortkey,
        detail super,
        sold_at timestamp encode raw
      ) backup no diststyle key compound sortkey(sold_at, region);
      create table public.sales_copy (like public.sales_fact);
      create table public.by_region diststyle even interleaved sortkey(region) as select region from public.sales_fact;
      create table public.stepped (id int identity(100, 10), name varchar(10)) diststyle all sortkey auto encode auto;
      create table public.explicit (id bigint generated by default as identity(1, 1), name varchar(10)) diststyle auto;
    `);
    await warehouse.execute(`
      insert into public.sales_fact (seller, region, amount, detail, sold_at)
        values ('a', 'north', 1.50, json_parse('{"k":1}'), '2024-01-01'), ('b', 'south', 2.25, null, '2024-01-02');
      insert into public.stepped (name) values ('x'), ('y'), ('z');
      insert into public.explicit (id, name) values (42, 'explicit');
      insert into public.explicit (name) values ('generated');
    `);
    const ids = await warehouse.query('select sale_id from public.sales_fact order by sale_id');
    assert.deepEqual(
      ids.rows.map((r) => String(r.sale_id)),
      ['0', '1'],
    );
    const stepped = await warehouse.query(
      "select listagg(id, ',') within group (order by id) as ids from public.stepped",
    );
    assert.equal(stepped.rows[0]?.ids, '100,110,120');
    const explicit = await warehouse.query('select count(*)::int as n from public.explicit');
    assert.equal(explicit.rows[0]?.n, 2);
    await assert.rejects(
      warehouse.query("insert into public.stepped (id, name) values (1, 'no')"),
      /non-DEFAULT value into column "id"/,
    );
    const copy = await warehouse.query(
      "select count(*)::int as n from information_schema.columns where table_schema = 'public' and table_name = 'sales_copy'",
    );
    assert.equal(copy.rows[0]?.n, 6);
  });

  test('temp tables, external schemas, grants, ANALYZE and VACUUM', async () => {
    await warehouse.execute(`
      create external schema spectrum_demo from data catalog database 'demo_db' iam_role 'arn:aws:iam::123456789012:role/x' create external database if not exists;
      grant usage on external schema spectrum_demo to group analysts;
      create temp table recent as select 1 as n;
      analyze recent;
      vacuum;
      analyze compression recent;
      grant select on all tables in schema public to group analysts;
    `);
    const schema = await warehouse.query(
      "select count(*)::int as n from information_schema.schemata where schema_name = 'spectrum_demo'",
    );
    assert.equal(schema.rows[0]?.n, 1);
    const temp = await warehouse.query('select n from recent');
    assert.equal(temp.rows[0]?.n, 1);
  });

  test("SUPER navigation in DAP's shape: parsed evidence read through NVL2, serialized, parsed again and cast", async () => {
    // Prepare: evidence as the stage tables hold it, a JSON array in VARCHAR; a procedure making a view over it
    await warehouse.execute(`
      create schema if not exists conformed;
      create table conformed.stage_evidence (event_id varchar(64), extensions_evidence varchar(65535), processed_date varchar(8));
      insert into conformed.stage_evidence values
        ('e1', '[{"type": "IdentityCheck", "strengthScore": 3, "validityscore": 2, "checkdetails": [{"kbvquality": 1, "checkmethod": "data"}]}]', '20240102'),
        ('e2', '', '20240102'),
        ('e3', '[{"type": "X", "checkdetails": []}]', '20231231');
      create or replace procedure conformed.sp_evidence_view() as $$
      begin
        create or replace view conformed.v_evidence as
        with base_data as (
          select event_id, processed_date,
            nvl2(valid_json_data, valid_json_data.type, valid_json_data) as "TYPE",
            nvl2(valid_json_data, valid_json_data.strengthScore, valid_json_data) as strengthscore,
            nvl2(valid_json_data, valid_json_data.validityscore, valid_json_data) as validityscore,
            nvl2(valid_json_data, valid_json_data.checkdetails, valid_json_data) as checkdetails
          from (select event_id, processed_date,
              case extensions_evidence != '' and is_valid_json_array(extensions_evidence)
              when true then json_parse(json_extract_array_element_text(extensions_evidence, 0)) else null end as valid_json_data
            from conformed.stage_evidence)
        ), level_1_data as (
          select *, json_serialize(checkdetails) as checkdetails_final from base_data
        )
        select event_id, processed_date, type, strengthscore, validityscore::integer as validity_score, checkdetails_final,
          checks.checkmethod::varchar as check_method, checks.kbvquality = 1 as good_quality
        from (select *, case checkdetails_final != '' and is_valid_json_array(checkdetails_final)
            when true then json_parse(json_extract_array_element_text(checkdetails_final, 0)) else null end as checks
          from level_1_data);
      end;
      $$ language plpgsql;
    `);

    // Act
    await warehouse.callProcedure('conformed', 'sp_evidence_view', []);
    const view = await warehouse.queryText(
      "select event_id, type, type::varchar, type = 'IdentityCheck'::varchar, strengthscore, validity_score, checkdetails_final, check_method, good_quality from conformed.v_evidence where processed_date > cast('2024-01-01' as timestamp) or event_id = 'e3' order by event_id",
    );

    // Assess: a mixed-case key is not found under the folded name (LOWER_ATTRIBUTE_NAMES page), as in Redshift
    assert.deepEqual(view.rows, [
      [
        'e1',
        '"IdentityCheck"',
        'IdentityCheck',
        'true',
        null,
        '2',
        '[{"kbvquality":1,"checkmethod":"data"}]',
        'data',
        'true',
      ],
      ['e2', null, null, null, null, null, null, null, null],
      ['e3', '"X"', 'X', 'false', null, null, '[]', null, null],
    ]);
  });

  test('a stored procedure in idiomatic Redshift PL/pgSQL runs through callProcedure', async () => {
    await warehouse.execute(`
      create schema if not exists conformed;
      create table conformed.events (event_id varchar(64), kind varchar(16), created_at timestamp);
      create table conformed.proc_log (run_id varchar(128), kinds varchar(256), label varchar(16), since timestamp, moved bigint, at_start timestamp);
      insert into conformed.events values ('e1', 'b', getdate()), ('e2', 'a', dateadd(day, -1, getdate())), ('e3', null, dateadd(day, -10, getdate()));
    `);
    await warehouse.execute(`
      create or replace procedure conformed.sp_smoke(run_id varchar(128)) as $$
      declare
        kinds varchar(256);
        moved bigint;
        since timestamp := dateadd(day, -7, trunc(sysdate));
      begin
        select listagg(distinct nvl(kind, 'none'), ',') within group (order by nvl(kind, 'none')) into kinds
        from conformed.events where created_at >= dateadd(day, -30, sysdate);
        update conformed.events set kind = decode(kind, 'a', 'alpha', 'b', 'beta', kind) where created_at >= since;
        get diagnostics moved := row_count;
        raise info 'run % moved % rows', run_id, moved;
        insert into conformed.proc_log values (run_id, kinds, decode(moved, 2, 'two', 'other'), since, moved, sysdate);
      end;
      $$ language plpgsql;
    `);
    await warehouse.callProcedure('conformed', 'sp_smoke', ['run-1']);
    const log = await warehouse.query('select run_id, kinds, label, moved::int as moved from conformed.proc_log');
    assert.deepEqual(log.rows[0], { run_id: 'run-1', kinds: 'a,b,none', label: 'two', moved: 2 });
    const kinds = await warehouse.query(
      "select listagg(kind, ',') within group (order by kind) as k from conformed.events",
    );
    assert.equal(kinds.rows[0]?.k, 'alpha,beta');
  });
});
