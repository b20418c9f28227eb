import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/migrate-warehouse/handler.ts';
import { loadCheckedProject } from '../../lib/check/check.ts';
import { InvalidEventError } from '../../lib/core/lambda-event.ts';
import { MigrationFailedError } from '../../lib/core/migrations.ts';
import { PROJECT_FOLDERS, type Project } from '../../lib/core/model/project.ts';
import { RedshiftDataMigrationTarget } from '../../lib/engines/aws/redshift-data-migrations.ts';
import { RedshiftDataWarehouse } from '../../lib/engines/aws/redshift-data-warehouse.ts';
import { PgliteWarehouse } from '../../lib/engines/local/pglite-warehouse.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { REPO_ROOT, twinFixture } from '../helpers/twin-fixture.ts';

const SPECTRUM_ROLE = 'arn:aws:iam::111111111111:role/dev-dap-spectrum';

const V001 =
  'create schema if not exists {{reporting_schema}};\ncreate table {{reporting_schema}}.audit (run_id varchar(128));\n';

/**
 * The repo's config with reporting scripts of this test's own (one migration, no reporting family enabled), so the
 * test does not move with the shipped model; `edit` changes the copy before it is loaded.
 */
function project(edit: (root: string) => void = () => {}): { project: Project; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'dap-migrate-'));
  for (const folder of PROJECT_FOLDERS.filter((f) => f !== 'redshift-scripts')) {
    cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
  }
  mkdirSync(join(root, 'redshift-scripts/migrations'), { recursive: true });
  mkdirSync(join(root, 'redshift-scripts/procedures'), { recursive: true });
  writeFileSync(join(root, 'redshift-scripts/reporting_model_product_family_config.json'), '[]\n');
  writeFileSync(join(root, 'redshift-scripts/migrations/V001__reporting_schema.sql'), V001);
  edit(root);
  return { project: loadCheckedProject(root), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

describe('migrate-warehouse handler on PGlite (the twin binding)', () => {
  let database: PgliteWarehouse;
  beforeEach(async () => {
    database = await PgliteWarehouse.open({ schema: 'conformed' });
  });
  afterEach(async () => {
    await database.close();
  });

  test('creates the external schemas, applies the scripts once, and applies nothing the second time', async () => {
    // Prepare
    const fixture = project((root) =>
      writeFileSync(
        join(root, 'redshift-scripts/migrations/V002__probe.sql'),
        'create table {{reporting_schema}}.probe (x integer);\n' +
          'create view {{reporting_schema}}.probe_stage as select * from {{stage_schema}}.nothing_yet;\n',
      ),
    );
    await database.execute('create schema spectrum_stage; create table spectrum_stage.nothing_yet (y integer)');
    const handler = makeHandler({
      environment: 'dev',
      projectForRun: async () => fixture.project,
      warehouse: async () => database,
    });

    try {
      // Act
      const first = await handler({ run_id: 'run-1' });
      const second = await handler({ run_id: 'run-2' });

      // Assess
      assert.deepEqual(first.external_schemas, ['spectrum_stage', 'spectrum_raw']);
      assert.deepEqual(first.applied, [
        'redshift-scripts/migrations/V001__reporting_schema.sql',
        'redshift-scripts/migrations/V002__probe.sql',
      ]);
      assert.deepEqual(second.applied, []);
      const schemas = await database.query(
        "select schema_name from information_schema.schemata where schema_name like 'spectrum_%' order by 1",
      );
      assert.deepEqual(
        schemas.rows.map((r) => r.schema_name),
        ['spectrum_raw', 'spectrum_stage'],
      );
      const history = await database.query('select script, run_id from conformed.dap_schema_history order by 1');
      assert.deepEqual(
        history.rows.map((r) => r.run_id),
        ['run-1', 'run-1'],
      );
    } finally {
      fixture.cleanup();
    }
  });

  test("a broken migration fails with the file and the warehouse's error, and is not recorded", async () => {
    // Prepare
    const fixture = project((root) =>
      writeFileSync(
        join(root, 'redshift-scripts/migrations/V002__broken.sql'),
        'create table {{reporting_schema}}.ok_table (x integer);\nselect * from {{reporting_schema}}.missing_table;\n',
      ),
    );
    const handler = makeHandler({
      environment: 'dev',
      projectForRun: async () => fixture.project,
      warehouse: async () => database,
    });

    try {
      // Act + Assess
      await assert.rejects(
        handler({ run_id: 'run-1' }),
        (error: unknown) =>
          error instanceof MigrationFailedError &&
          /^redshift-scripts\/migrations\/V002__broken\.sql failed to apply: .*missing_table/.test(error.message),
      );
      const history = await database.query('select script from conformed.dap_schema_history');
      assert.deepEqual(
        history.rows.map((r) => r.script),
        ['redshift-scripts/migrations/V001__reporting_schema.sql'],
      );
      const leftover = await database.query("select to_regclass('conformed.ok_table') as t");
      assert.equal(leftover.rows[0]?.t, null, 'the failed script rolled back as a whole');
    } finally {
      fixture.cleanup();
    }
  });

  test('an event without a run id is refused, naming the field', async () => {
    const handler = makeHandler({
      environment: 'dev',
      projectForRun: async () => assert.fail('the project is not read for an invalid event'),
      warehouse: async () => assert.fail('the warehouse is not opened for an invalid event'),
    });
    await assert.rejects(
      handler({ run: 'x' }),
      (error: unknown) => error instanceof InvalidEventError && /run_id/.test(error.message),
    );
  });
});

describe('migrate-warehouse handler on the Data API', () => {
  const redshiftData = mockClient(RedshiftDataClient);
  beforeEach(() => {
    redshiftData.reset();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'single' });
    redshiftData.on(BatchExecuteStatementCommand).resolves({ Id: 'batch' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    redshiftData.on(GetStatementResultCommand).resolves({ ColumnMetadata: [], Records: [] });
  });

  test('creates the Spectrum schemas over the Glue stage and raw databases with the role, then migrates', async () => {
    // Prepare
    const fixture = project();
    const warehouse = new RedshiftDataWarehouse({
      client: new RedshiftDataClient({ region: 'eu-west-2' }),
      database: 'dap',
      workgroupName: 'dev-dap',
      sleep: async () => {},
    });
    const handler = makeHandler({
      environment: 'dev',
      projectForRun: async () => fixture.project,
      warehouse: async () => new RedshiftDataMigrationTarget(warehouse, 'conformed', SPECTRUM_ROLE),
    });

    try {
      // Act
      const result = await handler({ run_id: 'run-9' });

      // Assess
      const singles = redshiftData.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input.Sql);
      assert.deepEqual(singles.slice(0, 2), [
        `create external schema if not exists spectrum_stage from data catalog database 'dev_dap_stage' iam_role '${SPECTRUM_ROLE}'`,
        `create external schema if not exists spectrum_raw from data catalog database 'dev_dap_raw' iam_role '${SPECTRUM_ROLE}'`,
      ]);
      assert.deepEqual(result.applied, ['redshift-scripts/migrations/V001__reporting_schema.sql']);
      const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input.Sqls ?? []);
      assert.match(batches.at(-1)?.at(-1) ?? '', /insert into conformed\.dap_schema_history .*'run-9'/);
    } finally {
      fixture.cleanup();
    }
  });

  test('a target without a Spectrum role refuses to create the external schemas', async () => {
    const fixture = project();
    const warehouse = new RedshiftDataWarehouse({ database: 'dap', clusterIdentifier: 'c', sleep: async () => {} });
    const handler = makeHandler({
      environment: 'dev',
      projectForRun: async () => fixture.project,
      warehouse: async () => new RedshiftDataMigrationTarget(warehouse, 'conformed'),
    });
    try {
      await assert.rejects(handler({ run_id: 'r' }), /external schema spectrum_stage: no Spectrum role/);
      assert.equal(redshiftData.commandCalls(ExecuteStatementCommand).length, 0);
    } finally {
      fixture.cleanup();
    }
  });
});

describe('the twin runs the migration step before the reporting model', () => {
  const PROBE_PROCEDURE = `create or replace procedure {{reporting_schema}}.sp_probe_report(run_id varchar(128)) as $$
begin
  insert into {{reporting_schema}}.probe_runs (run_id) values (run_id);
end;
$$ language plpgsql;
`;

  /** Reporting scripts of the test's own: one enabled family with a trivial procedure, plus `extra` migrations. */
  const reportingScripts = (extra: Record<string, string>) => (root: string) => {
    rmSync(join(root, 'redshift-scripts'), { recursive: true, force: true });
    mkdirSync(join(root, 'redshift-scripts/migrations'), { recursive: true });
    mkdirSync(join(root, 'redshift-scripts/procedures'), { recursive: true });
    writeFileSync(
      join(root, 'redshift-scripts/reporting_model_product_family_config.json'),
      '[{ "product_family": "probe_report", "enabled": true }]\n',
    );
    writeFileSync(
      join(root, 'redshift-scripts/migrations/V001__probe.sql'),
      'create schema if not exists {{reporting_schema}};\ncreate table {{reporting_schema}}.probe_runs (run_id varchar(128));\n',
    );
    writeFileSync(join(root, 'redshift-scripts/procedures/sp_probe_report.sql'), PROBE_PROCEDURE);
    for (const [file, text] of Object.entries(extra))
      writeFileSync(join(root, 'redshift-scripts/migrations', file), text);
  };
  const later = () => new Date(Date.now() + 3 * 86_400_000);

  test('with the model up to date, the family procedure runs after the migration step', async () => {
    const fixture = await twinFixture(reportingScripts({}));
    try {
      const entered: string[] = [];
      const twin = await LocalTwin.open(fixture.context);
      const run = await twin.run({ now: later, onStateEntered: (name) => entered.push(name) });

      assert.equal(run.outcome, 'SUCCEEDED', JSON.stringify(run.report?.reporting));
      assert.ok(entered.indexOf('MigrateWarehouse') < entered.indexOf('CallProcedure'));
      assert.deepEqual(
        run.report?.reporting.map((r) => [r.product_family, r.status]),
        [['probe_report', 'SUCCEEDED']],
      );
      const warehouse = await fixture.context.warehouse();
      const calls = await warehouse.database.query('select run_id from conformed.probe_runs');
      assert.deepEqual(
        calls.rows.map((r) => r.run_id),
        [run.runId],
      );
    } finally {
      await fixture.cleanup();
    }
  });

  test('a migration that fails reports every reporting family FAILED with its error, and calls no procedure', async () => {
    const fixture = await twinFixture(
      reportingScripts({ 'V002__broken.sql': 'select missing_column from {{reporting_schema}}.probe_runs;\n' }),
    );
    try {
      const entered: string[] = [];
      const twin = await LocalTwin.open(fixture.context);
      const run = await twin.run({ now: later, onStateEntered: (name) => entered.push(name) });

      assert.equal(run.outcome, 'PARTIAL', 'the Athena families still succeeded');
      assert.ok(run.report?.families.every((f) => f.status === 'SUCCEEDED'));
      const reporting = run.report?.reporting ?? [];
      assert.deepEqual(
        reporting.map((r) => [r.product_family, r.status]),
        [['probe_report', 'FAILED']],
      );
      assert.match(
        reporting[0]?.error ?? '',
        /^MigrationFailedError: redshift-scripts\/migrations\/V002__broken\.sql failed to apply: .*missing_column/,
      );
      assert.ok(entered.includes('MigrateWarehouse'));
      assert.ok(!entered.includes('CallProcedure'), 'no procedure is called on an unmigrated model');
      assert.match(run.notifications[0]?.message ?? '', /probe_report: MigrationFailedError: .*V002__broken\.sql/);
    } finally {
      await fixture.cleanup();
    }
  });

  test('a run without reporting families skips the migration step', async () => {
    const fixture = await twinFixture();
    try {
      const entered: string[] = [];
      const twin = await LocalTwin.open(fixture.context);
      await twin.run({ now: later, onStateEntered: (name) => entered.push(name), families: ['auth_account_creation'] });
      assert.ok(entered.includes('HasReportingFamilies'));
      assert.ok(!entered.includes('MigrateWarehouse'));
    } finally {
      await fixture.cleanup();
    }
  });
});
