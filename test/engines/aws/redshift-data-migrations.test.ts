import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { MigrationFailedError, MigrationMismatchError, migrate, scriptChecksum } from '../../../lib/core/migrations.ts';
import type { WarehouseScriptFile } from '../../../lib/core/model/project.ts';
import { RedshiftDataMigrationTarget } from '../../../lib/engines/aws/redshift-data-migrations.ts';
import { RedshiftDataWarehouse } from '../../../lib/engines/aws/redshift-data-warehouse.ts';

const redshiftData = mockClient(RedshiftDataClient);
const BINDINGS = {
  reporting_schema: 'conformed',
  stage_schema: 'spectrum_stage',
  raw_schema: 'spectrum_raw',
  runner_role: 'conformed_runner',
};

const V001 = 'create schema if not exists {{reporting_schema}};\ncreate table {{reporting_schema}}.a (x int);\n';
const V002 =
  "-- second\ncreate table {{reporting_schema}}.b (s varchar(10) default ';');\n\ninsert into {{reporting_schema}}.b select 'x' from {{stage_schema}}.t;\n";
const PROCEDURE = `create or replace procedure {{reporting_schema}}.sp_demo(run_id varchar(128)) as $$
begin
  insert into {{reporting_schema}}.a select 1;
end;
$$ language plpgsql;`;

const SCRIPTS: WarehouseScriptFile[] = [
  {
    file: 'redshift-scripts/migrations/V001__init.sql',
    text: V001,
    kind: 'versioned',
    version: '1',
    description: 'init',
  },
  { file: 'redshift-scripts/migrations/V002__b.sql', text: V002, kind: 'versioned', version: '2', description: 'b' },
  { file: 'redshift-scripts/procedures/sp_demo.sql', text: PROCEDURE, kind: 'repeatable', description: 'sp_demo' },
];

function target() {
  const warehouse = new RedshiftDataWarehouse({
    client: new RedshiftDataClient({ region: 'eu-west-2' }),
    database: 'dap',
    workgroupName: 'dev-dap',
    sleep: async () => {},
    random: () => 1,
  });
  return new RedshiftDataMigrationTarget(warehouse, 'conformed');
}

/** The history as GetStatementResult returns it: script, version, checksum (char(64), padded here on purpose). */
function historyRows(rows: readonly [string, number | null, string][]) {
  return {
    ColumnMetadata: [{ name: 'script' }, { name: 'version' }, { name: 'checksum' }],
    Records: rows.map(([script, version, checksum]) => [
      { stringValue: script },
      version === null ? { isNull: true } : { longValue: version },
      { stringValue: `${checksum} ` },
    ]),
  };
}

describe('RedshiftDataMigrationTarget', () => {
  beforeEach(() => {
    redshiftData.reset();
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', Duration: 1_000_000 });
    redshiftData.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'select-1' });
  });

  test('reads the applied list after creating the schema and history table', async () => {
    // Prepare
    redshiftData.on(GetStatementResultCommand).resolves(
      historyRows([
        ['redshift-scripts/migrations/V001__init.sql', 1, scriptChecksum(V001)],
        ['redshift-scripts/procedures/sp_demo.sql', null, 'f'.repeat(64)],
      ]),
    );

    // Act
    const applied = await target().appliedScripts();

    // Assess
    assert.deepEqual(applied, [
      { script: 'redshift-scripts/migrations/V001__init.sql', version: '1', checksum: scriptChecksum(V001) },
      { script: 'redshift-scripts/procedures/sp_demo.sql', version: null, checksum: 'f'.repeat(64) },
    ]);
    const setup = redshiftData.commandCalls(BatchExecuteStatementCommand)[0]?.args[0].input;
    assert.deepEqual(setup?.Sqls?.[0], 'create schema if not exists conformed');
    assert.match(setup?.Sqls?.[1] ?? '', /^create table if not exists conformed\.dap_schema_history \(/);
    assert.equal(setup?.WorkgroupName, 'dev-dap');
    const select = redshiftData.commandCalls(ExecuteStatementCommand)[0]?.args[0].input;
    assert.match(select?.Sql ?? '', /^select script, version, checksum from conformed\.dap_schema_history/);
  });

  test('applies each pending script as one batch: its statements, then its history row', async () => {
    // Prepare: V001 is applied; V002 and the procedure are pending.
    redshiftData
      .on(GetStatementResultCommand)
      .resolves(historyRows([['redshift-scripts/migrations/V001__init.sql', 1, scriptChecksum(V001)]]));

    // Act
    const outcome = await migrate(target(), SCRIPTS, BINDINGS, 'run-42');

    // Assess
    assert.deepEqual(
      outcome.applied.map((s) => s.script),
      ['redshift-scripts/migrations/V002__b.sql', 'redshift-scripts/procedures/sp_demo.sql'],
    );
    const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    assert.equal(batches.length, 3, 'history setup, then one batch per pending script');
    const v002 = batches[1]?.Sqls ?? [];
    assert.deepEqual(v002.slice(0, 2), [
      "-- second\ncreate table conformed.b (s varchar(10) default ';')",
      "insert into conformed.b select 'x' from spectrum_stage.t",
    ]);
    assert.match(
      v002[2] ?? '',
      /^insert into conformed\.dap_schema_history .*'redshift-scripts\/migrations\/V002__b\.sql', 2, 'b', '[0-9a-f]{64}', 'run-42', getdate\(\)/,
    );
    assert.equal(v002.length, 3);
    const procedure = batches[2]?.Sqls ?? [];
    assert.equal(procedure.length, 2, 'the whole CREATE PROCEDURE with its $$ body is one statement');
    assert.match(
      procedure[0] ?? '',
      /^create or replace procedure conformed\.sp_demo[\s\S]*insert into conformed\.a select 1;[\s\S]*\$\$ language plpgsql$/,
    );
    assert.match(procedure[1] ?? '', /'redshift-scripts\/procedures\/sp_demo\.sql', null, 'sp_demo'/);
  });

  test("a failing script names the file, the statement and its line, and Redshift's error; later scripts do not run", async () => {
    // Prepare
    redshiftData
      .on(GetStatementResultCommand)
      .resolves(historyRows([['redshift-scripts/migrations/V001__init.sql', 1, scriptChecksum(V001)]]));
    redshiftData.on(DescribeStatementCommand, { Id: 'batch-1' }).resolves({
      Status: 'FAILED',
      Error: 'ERROR: relation "spectrum_stage.t" does not exist',
      SubStatements: [
        { Id: 'batch-1:1', Status: 'FINISHED' },
        { Id: 'batch-1:2', Status: 'FAILED', Error: 'ERROR: relation "spectrum_stage.t" does not exist' },
        { Id: 'batch-1:3', Status: 'ABORTED' },
      ],
    });
    redshiftData.on(BatchExecuteStatementCommand).resolvesOnce({ Id: 'setup' }).resolves({ Id: 'batch-1' });

    // Act + Assess
    await assert.rejects(migrate(target(), SCRIPTS, BINDINGS, 'run-43'), (error: unknown) => {
      assert.ok(error instanceof MigrationFailedError);
      assert.equal(
        error.message,
        'redshift-scripts/migrations/V002__b.sql failed to apply: statement 2 of 2 (line 4) failed: ' +
          'ERROR: relation "spectrum_stage.t" does not exist (Data API statement batch-1)',
      );
      return true;
    });
    assert.equal(redshiftData.commandCalls(BatchExecuteStatementCommand).length, 2, 'the procedure was not sent');
  });

  test('an applied script that changed is refused before anything is applied', async () => {
    // Prepare
    redshiftData
      .on(GetStatementResultCommand)
      .resolves(historyRows([['redshift-scripts/migrations/V001__init.sql', 1, scriptChecksum('-- the old text')]]));

    // Act + Assess
    await assert.rejects(
      migrate(target(), SCRIPTS, BINDINGS, 'run-44'),
      (error: unknown) =>
        error instanceof MigrationMismatchError &&
        /V001__init\.sql was changed after it was applied/.test(error.message),
    );
    assert.equal(redshiftData.commandCalls(BatchExecuteStatementCommand).length, 1, 'only the history setup ran');
  });

  test('reads every page of the history', async () => {
    // Prepare
    redshiftData
      .on(GetStatementResultCommand)
      .resolvesOnce({ ...historyRows([['a.sql', 1, 'a'.repeat(64)]]), NextToken: 'page-2' })
      .resolvesOnce(historyRows([['b.sql', 2, 'b'.repeat(64)]]));

    // Act
    const applied = await target().appliedScripts();

    // Assess
    assert.deepEqual(
      applied.map((a) => a.script),
      ['a.sql', 'b.sql'],
    );
    assert.equal(redshiftData.commandCalls(GetStatementResultCommand)[1]?.args[0].input.NextToken, 'page-2');
  });
});
