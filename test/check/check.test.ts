import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkProject, checkProjectFiles, loadCheckedProject } from '../../lib/check/check.ts';
import { readProjectFiles } from '../../lib/config/loader.ts';
import { INGEST_DATE_PARTITION, LINEAGE_COLUMNS } from '../../lib/core/ingest/report.ts';
import { ConfigError, formatProblem } from '../../lib/core/model/problems.ts';
import { minimalProjectFiles, projectFixture } from '../helpers/project-fixture.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const FAMILIES = 'athena-scripts/process_scripts/product_family_config.json';
const SALES_EVENTS = 'athena-scripts/process_scripts/sales_config.json';
const SALES_STAGE = 'athena-scripts/stage_tables/sales.json';
const ORDER_PLACED_SQL = 'athena-scripts/dml/insert_into/order_placed.sql';

function problemsWith(changes: Record<string, string | null>): string[] {
  const fixture = projectFixture(changes);
  try {
    return checkProject(fixture.root).problems.map(formatProblem);
  } finally {
    fixture.cleanup();
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

const SHOP_ORDERS_SOURCE = 'config/sources/files/shop_orders.json';

function environmentWithSchedule(rawToStage: string): string {
  return json({ name: 'dev', account: '111111111111', region: 'eu-west-2', schedules: { raw_to_stage: rawToStage } });
}

/** A file source landing in a raw table of its own, with `keyPattern`. */
function fileSourceWithKeyPattern(keyPattern: string): Record<string, string> {
  return {
    'athena-scripts/raw_tables/files.json': json({
      source: 'files',
      format: 'json',
      location: 'files/{table}',
      columns: LINEAGE_COLUMNS,
      partition_columns: [INGEST_DATE_PARTITION],
      tables: { shop_orders: { columns: [{ name: 'order_id', type: 'string' }] } },
    }),
    [SHOP_ORDERS_SOURCE]: json({
      source: 'shop_orders',
      key_pattern: keyPattern,
      format: { type: 'csv' },
      dataset: 'shop_orders',
      mappings: [{ version: 'v1', header: ['Order ID'], columns: { order_id: { from: 'Order ID' } } }],
    }),
  };
}

function assertOneProblem(problems: string[], file: string, pattern: RegExp): void {
  const matching = problems.filter((p) => p.startsWith(`${file}: `) && pattern.test(p));
  assert.equal(matching.length, 1, `expected one problem in ${file} matching ${pattern}, got:\n${problems.join('\n')}`);
}

describe('dap check', () => {
  test('the shipped project has no problems', () => {
    // Act
    const { problems } = checkProject(repoRoot);

    // Assess
    assert.deepEqual(problems.map(formatProblem), []);
  });

  test('the shipped single customer view without orch_spot in depends_on is refused: a procedure it calls reads it', () => {
    // Prepare
    const files = new Map(readProjectFiles(repoRoot));
    const config = 'redshift-scripts/reporting_model_product_family_config.json';
    const families = JSON.parse(files.get(config) ?? '[]') as { product_family: string; depends_on: string[] }[];
    const edited = families.map((f) =>
      f.product_family === 'single_customer_view'
        ? { ...f, depends_on: f.depends_on.filter((d) => d !== 'orch_spot') }
        : f,
    );
    files.set(config, JSON.stringify(edited));

    // Act
    const { problems } = checkProjectFiles(files, repoRoot);

    // Assess
    assert.deepEqual(problems.map(formatProblem), [
      `${config}: [1].depends_on: sp_single_customer_view reads {{stage_schema}}.orch_spot (through sp_scv_collect_records): expected "orch_spot" in depends_on, so a run where that family fails does not build the model from it`,
    ]);
  });

  test('the minimal fixture project has no problems', () => {
    assert.deepEqual(problemsWith({}), []);
  });

  test('the fixture file source with a glob key_pattern has no problems', () => {
    assert.deepEqual(problemsWith(fileSourceWithKeyPattern('orders_*.csv')), []);
  });

  const brokenConfigs: { name: string; changes: Record<string, string | null>; file: string; expect: RegExp }[] = [
    {
      name: 'a stage column of a nested type, which CloudFormation cannot declare (found by check, not at synthesis)',
      changes: {
        [SALES_STAGE]: json({
          product_family: 'sales',
          columns: [
            { name: 'event_id', type: 'string' },
            { name: 'user_id', type: 'string' },
            { name: 'amount', type: 'decimal(10,2)' },
            { name: 'event_at', type: 'timestamp' },
            { name: 'tags', type: 'map<string,string>' },
          ],
          partition_columns: [{ name: 'event_name', type: 'string' }],
          deduplication: { key: ['event_id'], order_by: ['event_at'] },
        }),
      },
      file: SALES_STAGE,
      expect:
        /columns\[4\]\.type: column "tags" has type map<string,string>: stage tables deployed by CloudFormation take primitive and decimal types only/,
    },
    {
      name: 'bad JSON',
      changes: { [FAMILIES]: '[{"product_family": "sales", "enabled": true,]' },
      file: FAMILIES,
      expect: /not valid JSON/,
    },
    {
      name: 'missing field',
      changes: { [FAMILIES]: json([{ product_family: 'sales' }, { product_family: 'returns', enabled: false }]) },
      file: FAMILIES,
      expect: /\[0\]\.enabled: missing required field \(expected true or false\)/,
    },
    {
      name: 'wrong type',
      changes: {
        [FAMILIES]: json([
          { product_family: 'sales', enabled: 'yes' },
          { product_family: 'returns', enabled: false },
        ]),
      },
      file: FAMILIES,
      expect: /\[0\]\.enabled: expected true or false/,
    },
    {
      name: 'unexpected key (a typo)',
      changes: {
        [FAMILIES]: json([
          { product_family: 'sales', enabled: true, enabeld: false },
          { product_family: 'returns', enabled: false },
        ]),
      },
      file: FAMILIES,
      expect: /\[0\]: unexpected key\(s\) "enabeld"/,
    },
    {
      name: 'bad identifier',
      changes: { [SALES_EVENTS]: json([{ event_name: 'Order-Placed', product_family: 'sales', enabled: true }]) },
      file: SALES_EVENTS,
      expect: /\[0\]\.event_name: expected an identifier matching/,
    },
    {
      name: 'unknown family',
      changes: {
        'athena-scripts/process_scripts/ghost_config.json': json([
          { event_name: 'boo', product_family: 'ghost', enabled: true },
        ]),
      },
      file: 'athena-scripts/process_scripts/ghost_config.json',
      expect:
        /unknown family "ghost": it is not listed in athena-scripts\/process_scripts\/product_family_config\.json/,
    },
    {
      name: 'event listed under a family other than its file',
      changes: { [SALES_EVENTS]: json([{ event_name: 'order_placed', product_family: 'returns', enabled: true }]) },
      file: SALES_EVENTS,
      expect: /\[0\]\.product_family: expected "sales" \(the family this file is named after\) but found "returns"/,
    },
    {
      name: 'event in two families',
      changes: {
        'athena-scripts/process_scripts/returns_config.json': json([
          { event_name: 'order_returned', product_family: 'returns', enabled: true },
          { event_name: 'order_placed', product_family: 'returns', enabled: true },
        ]),
      },
      file: 'athena-scripts/process_scripts/sales_config.json',
      expect: /event "order_placed" is also in family "returns": an event belongs to exactly one family/,
    },
    {
      name: 'missing SQL file for an enabled event',
      changes: { [ORDER_PLACED_SQL]: null },
      file: SALES_EVENTS,
      expect:
        /enabled event "order_placed" has no transform: expected athena-scripts\/dml\/insert_into\/order_placed\.sql/,
    },
    {
      name: 'SQL that does not parse',
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_database}}.sales (event_id)\nselec event_id from {{raw_database}}.order_placed',
      },
      file: ORDER_PLACED_SQL,
      expect: /line 2, column 1: does not parse as Athena \(Trino\) SQL: 'selec'/,
    },
    {
      name: 'SQL inserting a column the stage table lacks',
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_database}}.sales (event_id, discount) select event_id, 1 from {{raw_database}}.order_placed',
      },
      file: ORDER_PLACED_SQL,
      expect:
        /inserts column "discount" that stage table sales \(athena-scripts\/stage_tables\/sales\.json\) does not have/,
    },
    {
      name: "SQL inserting into another family's table",
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_database}}.returns (event_id) select event_id from {{raw_database}}.order_placed',
      },
      file: ORDER_PLACED_SQL,
      expect:
        /expected INSERT INTO \{\{stage_database\}\}\.sales \(family "sales"'s stage table\) but it inserts into \{\{stage_database\}\}\.returns/,
    },
    {
      name: 'SQL without an explicit column list',
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_database}}.sales select event_id, null, null, null, null from {{raw_database}}.order_placed',
      },
      file: ORDER_PLACED_SQL,
      expect: /must list its target columns explicitly/,
    },
    {
      name: 'SQL that is not an INSERT',
      changes: { [ORDER_PLACED_SQL]: 'select event_id from {{raw_database}}.order_placed' },
      file: ORDER_PLACED_SQL,
      expect: /expected exactly one INSERT INTO statement/,
    },
    {
      name: 'SQL with an unknown placeholder',
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_db}}.sales (event_id) select event_id from {{raw_database}}.order_placed',
      },
      file: ORDER_PLACED_SQL,
      expect: /line 1, column 13: unknown placeholder \{\{stage_db\}\}/,
    },
    {
      name: 'SQL reading a raw table nobody declares',
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_database}}.sales (event_id) select event_id from {{raw_database}}.order_lost',
      },
      file: ORDER_PLACED_SQL,
      expect: /reads raw table "order_lost" that no athena-scripts\/raw_tables\/<source>\.json declares/,
    },
    {
      name: 'SQL that does not filter by the run window',
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_database}}.sales (event_id, event_at) select event_id, from_unixtime("timestamp") from {{raw_database}}.order_placed',
      },
      file: ORDER_PLACED_SQL,
      expect: /must filter its raw reads by the run's window with :window_from/,
    },
    {
      name: 'SQL with an unknown named parameter',
      changes: {
        [ORDER_PLACED_SQL]:
          'insert into {{stage_database}}.sales (event_id) select event_id from {{raw_database}}.order_placed where day > :window_from and day <= :window_to and day <> :holiday',
      },
      file: ORDER_PLACED_SQL,
      expect: /unknown parameter :holiday \(expected :window_from, :window_to\)/,
    },
    {
      name: 'deduplication on a column the stage table lacks',
      changes: {
        [SALES_STAGE]: json({
          product_family: 'sales',
          columns: [{ name: 'event_id', type: 'string' }],
          deduplication: { key: ['event_id'], order_by: ['received_at'] },
        }),
      },
      file: SALES_STAGE,
      expect: /deduplication: deduplication names column\(s\) received_at that the table does not have/,
    },
    {
      name: 'orphan SQL file',
      changes: { 'athena-scripts/dml/insert_into/order_lost.sql': 'select 1' },
      file: 'athena-scripts/dml/insert_into/order_lost.sql',
      expect: /orphan transform: no family lists an event "order_lost"/,
    },
    {
      name: 'orphan stage table schema',
      changes: {
        'athena-scripts/stage_tables/refunds.json': json({
          product_family: 'refunds',
          columns: [{ name: 'event_id', type: 'string' }],
        }),
      },
      file: 'athena-scripts/stage_tables/refunds.json',
      expect: /orphan stage table: family "refunds" is not listed/,
    },
    {
      name: 'enabled family without a stage table',
      changes: { [SALES_STAGE]: null },
      file: FAMILIES,
      expect:
        /product_family "sales": enabled family has no stage table: expected athena-scripts\/stage_tables\/sales\.json/,
    },
    {
      name: 'unknown column type',
      changes: {
        [SALES_STAGE]: json({
          product_family: 'sales',
          columns: [
            { name: 'event_id', type: 'strin' },
            { name: 'user_id', type: 'string' },
          ],
        }),
      },
      file: SALES_STAGE,
      expect: /columns\[0\]\.type: invalid column type "strin": unknown type "strin"/,
    },
    {
      name: 'enabled event without a raw table',
      changes: {
        'athena-scripts/raw_tables/shop.json': json({
          source: 'shop',
          format: 'json',
          location: 'shop/{table}',
          columns: [{ name: 'event_id', type: 'string' }],
          tables: { order_paid: {}, order_returned: {} },
        }),
      },
      file: SALES_EVENTS,
      expect: /enabled event "order_placed" has no raw table/,
    },
    {
      name: 'environment with a bad account id',
      changes: { 'config/environments/dev.json': json({ name: 'dev', account: '1234', region: 'eu-west-2' }) },
      file: 'config/environments/dev.json',
      expect: /account: expected a 12-digit AWS account id/,
    },
    {
      name: 'environment named differently from its file',
      changes: { 'config/environments/dev.json': json({ name: 'prod', account: '111111111111', region: 'eu-west-2' }) },
      file: 'config/environments/dev.json',
      expect: /name: expected "dev" to match the file name/,
    },
    {
      name: 'environment schedule with a five-field (Unix) cron',
      changes: { 'config/environments/dev.json': environmentWithSchedule('cron(0 3 * * *)') },
      file: 'config/environments/dev.json',
      expect:
        /^config\/environments\/dev\.json: schedules\.raw_to_stage: "cron\(0 3 \* \* \*\)" has 5 fields: expected 6, cron\(minutes hours day-of-month month day-of-week year\) such as cron\(0 3 \* \* \? \*\)$/,
    },
    {
      name: 'environment schedule without ? in day-of-month or day-of-week',
      changes: { 'config/environments/dev.json': environmentWithSchedule('cron(0 3 * * * *)') },
      file: 'config/environments/dev.json',
      expect:
        /schedules\.raw_to_stage: "cron\(0 3 \* \* \* \*\)" has no \? in day-of-month or day-of-week: expected \? in exactly one of them/,
    },
    {
      name: 'file source key_pattern written as a regular expression',
      changes: fileSourceWithKeyPattern('^orders_\\d+\\.csv$'),
      file: SHOP_ORDERS_SOURCE,
      expect:
        /^config\/sources\/files\/shop_orders\.json: key_pattern: "\^orders_\\d\+\\\.csv\$" looks like a regular expression \(\^, \\d, \+, \\\., \$\): expected a glob such as customers_\*\.csv, where \* matches within a name and \? one character$/,
    },
    {
      name: 'missing required file',
      changes: { 'redshift-scripts/reporting_model_product_family_config.json': null },
      file: 'redshift-scripts/reporting_model_product_family_config.json',
      expect: /file is missing/,
    },
    {
      name: 'reporting family depending on an unknown product family',
      changes: {
        'redshift-scripts/reporting_model_product_family_config.json': json([
          { product_family: 'sales_model', enabled: true, depends_on: ['sales', 'refunds'] },
        ]),
      },
      file: 'redshift-scripts/reporting_model_product_family_config.json',
      expect: /\[0\]\.depends_on\[1\]: unknown product family "refunds"/,
    },
    {
      name: 'reporting procedure reading a stage table its family does not depend on',
      changes: {
        'redshift-scripts/procedures/sp_sales_model.sql': [
          'create or replace procedure {{reporting_schema}}.sp_sales_model(run_id varchar(128))',
          'as $$',
          'begin',
          '  -- {{stage_schema}}.returns in a comment is not a read',
          '  call {{reporting_schema}}.sp_sales_helper(run_id);',
          'end;',
          '$$ language plpgsql;',
          '',
        ].join('\n'),
        'redshift-scripts/procedures/sp_sales_helper.sql': [
          'create or replace procedure {{reporting_schema}}.sp_sales_helper(run_id varchar(128))',
          'as $$',
          'begin',
          '  insert into {{reporting_schema}}.t select event_id from {{stage_schema}}.sales;',
          'end;',
          '$$ language plpgsql;',
          '',
        ].join('\n'),
      },
      file: 'redshift-scripts/reporting_model_product_family_config.json',
      expect:
        /\[0\]\.depends_on: sp_sales_model reads \{\{stage_schema\}\}\.sales \(through sp_sales_helper\): expected "sales" in depends_on/,
    },
    {
      name: 'enabled reporting family without its procedure',
      changes: { 'redshift-scripts/procedures/sp_sales_model.sql': null },
      file: 'redshift-scripts/reporting_model_product_family_config.json',
      expect:
        /\[0\]\.product_family: enabled reporting family "sales_model" has no procedure: expected redshift-scripts\/procedures\/sp_sales_model\.sql/,
    },
    {
      name: 'procedure file that does not define its procedure',
      changes: {
        'redshift-scripts/procedures/sp_sales_model.sql':
          'create or replace procedure {{reporting_schema}}.sp_other(run_id varchar(128)) as $$ begin end; $$ language plpgsql;\n',
      },
      file: 'redshift-scripts/procedures/sp_sales_model.sql',
      expect: /expected CREATE OR REPLACE PROCEDURE \{\{reporting_schema\}\}\.sp_sales_model\(run_id varchar\)/,
    },
    {
      name: 'unknown placeholder in a reporting script',
      changes: { 'redshift-scripts/migrations/V001__base.sql': 'create table {{stage_database}}.t (a int);\n' },
      file: 'redshift-scripts/migrations/V001__base.sql',
      expect: /line 1, column 14: unknown placeholder \{\{stage_database\}\}: expected one of \{\{reporting_schema\}\}/,
    },
    {
      name: 'migration not named V<version>__<description>.sql',
      changes: { 'redshift-scripts/migrations/001_base.sql': 'select 1;\n' },
      file: 'redshift-scripts/migrations/001_base.sql',
      expect: /expected a migration named V<version>__<description>\.sql/,
    },
    {
      name: 'two migrations with one version',
      changes: {
        'redshift-scripts/migrations/V002__a.sql': 'select 1;\n',
        'redshift-scripts/migrations/V2__b.sql': 'select 2;\n',
      },
      file: 'redshift-scripts/migrations/V2__b.sql',
      expect: /version 2 is also used by redshift-scripts\/migrations\/V002__a\.sql/,
    },
    {
      name: 'Postgres-only construct in a reporting script',
      changes: {
        'redshift-scripts/migrations/V001__base.sql':
          'insert into {{reporting_schema}}.t (a) values (1)\non conflict do nothing;\n',
      },
      file: 'redshift-scripts/migrations/V001__base.sql',
      expect: /line 2, column 1: .*ON CONFLICT/,
    },
  ];

  for (const { name, changes, file, expect } of brokenConfigs) {
    test(`rejects: ${name}`, () => {
      assertOneProblem(problemsWith(changes), file, expect);
    });
  }

  test('reports every problem at once, not just the first', () => {
    // Prepare: two unrelated files broken
    const problems = problemsWith({
      [FAMILIES]: json([{ product_family: 'sales', enabled: 'yes' }]),
      'config/environments/dev.json': json({ name: 'dev', account: 'x', region: 'eu-west-2' }),
      [ORDER_PLACED_SQL]: 'selec',
    });

    // Assess
    assert.ok(problems.some((p) => p.startsWith(FAMILIES)));
    assert.ok(problems.some((p) => p.startsWith('config/environments/dev.json')));
  });

  test('loadCheckedProject throws a ConfigError listing the problems', () => {
    const fixture = projectFixture({ [ORDER_PLACED_SQL]: null });
    try {
      assert.throws(
        () => loadCheckedProject(fixture.root),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.length === 1 &&
          /1 config problem:\n {2}- athena-scripts\/process_scripts\/sales_config\.json: \[0\]: enabled event "order_placed" has no transform/.test(
            error.message,
          ),
      );
    } finally {
      fixture.cleanup();
    }
  });

  test('a disabled event needs no transform, but an orphan one is still reported', () => {
    // Prepare: order_paid is disabled in the fixture
    assert.equal(minimalProjectFiles()[SALES_EVENTS]?.includes('"enabled": false'), true);

    // Act & Assess
    assert.deepEqual(problemsWith({ 'athena-scripts/dml/insert_into/order_paid.sql': null }), []);
  });
});
