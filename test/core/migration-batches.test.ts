import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DATA_API_MAX_BATCH_STATEMENTS,
  DATA_API_MAX_STATEMENT_BYTES,
  DataApiLimitError,
  migrationBatches,
} from '../../lib/core/migration-batches.ts';
import { scriptChecksum } from '../../lib/core/migrations.ts';
import type { PendingScript } from '../../lib/core/ports.ts';
import { RedshiftDataMigrationTarget } from '../../lib/engines/aws/redshift-data-migrations.ts';
import { RedshiftDataWarehouse, StatementFailedError } from '../../lib/engines/aws/redshift-data-warehouse.ts';
import { PgliteWarehouse } from '../../lib/engines/local/pglite-warehouse.ts';

/**
 * The Redshift Data API takes at most 100,000 bytes in one statement and 40 statements in one BatchExecuteStatement.
 * A migration script reaches Redshift within both (in batches of 40, a statement too large refused before anything is
 * sent), and the twin's PGlite applies it the same way, so a script only the twin could apply fails here first.
 */

const redshiftData = mockClient(RedshiftDataClient);

function pending(file: string, sql: string): PendingScript {
  return { script: file, version: '30', description: 'wide', checksum: scriptChecksum(sql), sql };
}

/** `count` statements, each creating its own table in `schema`. */
function tables(schema: string, count: number, failAt?: number): string {
  return Array.from({ length: count }, (_, i) =>
    i + 1 === failAt ? 'select * from no_such_table;' : `create table ${schema}.t${i + 1} (x int);`,
  ).join('\n');
}

/** A script whose second statement, on line 2, is exactly `bytes` bytes long (a comment pads it). */
function withStatementOf(bytes: number): string {
  const statement = 'create table conformed.notes (x int) /*';
  return `create schema if not exists conformed;\n${statement}${'x'.repeat(bytes - statement.length - 2)}*/;\n`;
}

function awsTarget() {
  const warehouse = new RedshiftDataWarehouse({
    client: new RedshiftDataClient({ region: 'eu-west-2' }),
    database: 'dap',
    workgroupName: 'dev-dap',
    sleep: async () => {},
    random: () => 1,
  });
  return { warehouse, target: new RedshiftDataMigrationTarget(warehouse, 'conformed') };
}

describe('through the Data API (AWS adapter)', () => {
  beforeEach(() => {
    redshiftData.reset();
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', Duration: 1_000_000 });
    redshiftData.on(BatchExecuteStatementCommand).resolves({ Id: 'batch' });
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'single' });
  });

  test('a script of 39 statements goes in one batch of 40 with its history row', async () => {
    // Act
    await awsTarget().target.applyScript(pending('V030__wide.sql', tables('conformed', 39)), 'run-1');

    // Assess
    const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    assert.equal(batches.length, 1);
    assert.equal(batches[0]?.Sqls?.length, DATA_API_MAX_BATCH_STATEMENTS);
    assert.equal(batches[0]?.StatementName, 'dap:migrate:V030__wide.sql');
  });

  test('a script of 45 statements goes in batches of 40 and 6, in order, the history row last', async () => {
    // Act
    await awsTarget().target.applyScript(pending('V030__wide.sql', tables('conformed', 45)), 'run-1');

    // Assess
    const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    assert.deepEqual(
      batches.map((b) => [b.StatementName, b.Sqls?.length]),
      [
        ['dap:migrate:V030__wide.sql:1-of-2', 40],
        ['dap:migrate:V030__wide.sql:2-of-2', 6],
      ],
    );
    assert.equal(batches[0]?.Sqls?.[0], 'create table conformed.t1 (x int)');
    assert.equal(batches[1]?.Sqls?.[4], 'create table conformed.t45 (x int)');
    assert.match(batches[1]?.Sqls?.[5] ?? '', /^insert into conformed\.dap_schema_history /);
  });

  test('a statement failing in a later batch is named by its place in the script, and what was committed is said', async () => {
    // Prepare: the second batch's second statement (the script's 42nd) fails
    redshiftData.on(BatchExecuteStatementCommand).resolvesOnce({ Id: 'first' }).resolves({ Id: 'second' });
    redshiftData.on(DescribeStatementCommand, { Id: 'second' }).resolves({
      Status: 'FAILED',
      SubStatements: [
        { Id: 'second:1', Status: 'FINISHED' },
        { Id: 'second:2', Status: 'FAILED', Error: 'ERROR: relation "no_such_table" does not exist' },
      ],
    });

    // Act + Assess
    await assert.rejects(
      awsTarget().target.applyScript(pending('V030__wide.sql', tables('conformed', 45, 42)), 'run-1'),
      (error: unknown) =>
        error instanceof StatementFailedError &&
        error.message ===
          'statement 42 of 45 (line 42) failed: ERROR: relation "no_such_table" does not exist; statements 1 to 40 of V030__wide.sql were committed by earlier batches (the Data API runs at most 40 statements in one transaction) and the script is not recorded as applied (Data API statement second)',
    );
  });

  test('a statement of 100,000 bytes is sent; one byte more is refused before anything is, naming the file and line', async () => {
    // Act
    const { target } = awsTarget();
    await target.applyScript(pending('R__notes.sql', withStatementOf(DATA_API_MAX_STATEMENT_BYTES)), 'run-1');
    const sent = redshiftData.commandCalls(BatchExecuteStatementCommand).length;
    const refused = await target
      .applyScript(pending('R__notes.sql', withStatementOf(DATA_API_MAX_STATEMENT_BYTES + 1)), 'run-1')
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    assert.equal(sent, 1);
    assert.equal(
      Buffer.byteLength(redshiftData.commandCalls(BatchExecuteStatementCommand)[0]?.args[0].input.Sqls?.[1] ?? ''),
      100_000,
    );
    assert.equal(redshiftData.commandCalls(BatchExecuteStatementCommand).length, 1, 'nothing more was sent');
    assert.ok(refused instanceof DataApiLimitError);
    assert.equal(
      refused.message,
      'R__notes.sql: statement 2 of 2 (line 2) is 100001 bytes, over the 100000 bytes the Redshift Data API takes in one statement (it would answer ValidationException: Cannot process query string larger than 100kB): split it',
    );
  });

  test('runStatements refuses what the service would: 41 statements, or a statement over 100,000 bytes', async () => {
    // Prepare
    const { warehouse } = awsTarget();
    const select = 'select 1';

    // Act + Assess
    await warehouse.runStatements(Array(40).fill(select), 'forty');
    await assert.rejects(
      warehouse.runStatements(Array(41).fill(select), 'forty-one'),
      /^DataApiLimitError: forty-one: 41 statements in one batch, over the 40 the Redshift Data API runs in one BatchExecuteStatement$/,
    );
    await assert.rejects(
      warehouse.runStatements([`select '${'x'.repeat(DATA_API_MAX_STATEMENT_BYTES)}'`], 'huge'),
      /^DataApiLimitError: huge: the statement is 100009 bytes, over the 100000 bytes the Redshift Data API takes in one statement \(it would answer ValidationException: Cannot process query string larger than 100kB\)$/,
    );
    assert.equal(redshiftData.commandCalls(BatchExecuteStatementCommand).length, 1);
    assert.equal(redshiftData.commandCalls(ExecuteStatementCommand).length, 0);
  });
});

describe("in the twin's PGlite, the same batches and the same refusal", () => {
  let database: PgliteWarehouse;
  before(async () => {
    database = await PgliteWarehouse.open({ schema: 'conformed' });
    await database.appliedScripts();
  });
  after(async () => database?.close());

  const tablesIn = async (schema: string) =>
    Number(
      (await database.query(`select count(*) as n from information_schema.tables where table_schema = '${schema}'`))
        .rows[0]?.n,
    );

  test('a script of 45 statements applies and is recorded once', async () => {
    // Act
    await database.execute('create schema wide_ok');
    await database.applyScript(pending('V030__wide_ok.sql', tables('wide_ok', 45)), 'run-1');

    // Assess
    assert.equal(await tablesIn('wide_ok'), 45);
    assert.ok((await database.appliedScripts()).some((s) => s.script === 'V030__wide_ok.sql'));
  });

  test('a failure in its second batch leaves the first 40 statements applied, as in AWS, and says so', async () => {
    // Prepare
    await database.execute('create schema wide_failing');

    // Act
    const refused = await database
      .applyScript(pending('V031__wide_failing.sql', tables('wide_failing', 45, 42)), 'run-1')
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    assert.ok(refused instanceof Error);
    assert.match(
      refused.message,
      /^relation "no_such_table" does not exist; statements 1 to 40 of V031__wide_failing\.sql were committed by earlier batches/,
    );
    assert.equal(await tablesIn('wide_failing'), 40);
    assert.ok(!(await database.appliedScripts()).some((s) => s.script === 'V031__wide_failing.sql'));
  });

  test('a statement over 100,000 bytes is refused with the message the AWS adapter gives, and nothing applies', async () => {
    // Prepare
    const script = pending('R__notes.sql', withStatementOf(DATA_API_MAX_STATEMENT_BYTES + 1));
    const aws = await awsTarget()
      .target.applyScript(script, 'run-1')
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Act
    const local = await database.applyScript(script, 'run-1').then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    assert.ok(local instanceof DataApiLimitError);
    assert.ok(aws instanceof DataApiLimitError);
    assert.equal(local.message, aws.message);
    assert.equal(await tablesIn('conformed'), 1, 'only the history table: notes was not created');
  });

  test('a statement of exactly 100,000 bytes applies', async () => {
    await database.applyScript(pending('R__notes.sql', withStatementOf(DATA_API_MAX_STATEMENT_BYTES)), 'run-1');
    assert.equal(await tablesIn('conformed'), 2);
  });
});

test('batches are cut at 40 statements, the history row always in the last', () => {
  const batches = (count: number) =>
    migrationBatches(pending('V.sql', tables('s', count)), 'conformed', 'run').batches.map((b) => [
      b.before,
      b.sqls.length,
    ]);
  assert.deepEqual(batches(1), [[0, 2]]);
  assert.deepEqual(batches(39), [[0, 40]]);
  assert.deepEqual(batches(40), [
    [0, 40],
    [40, 1],
  ]);
  assert.deepEqual(batches(85), [
    [0, 40],
    [40, 40],
    [80, 6],
  ]);
});
