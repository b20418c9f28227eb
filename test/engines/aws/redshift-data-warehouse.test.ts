import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import {
  InvalidIdentifierError,
  InvalidProcedureArgumentError,
  ProcedureFailedError,
  ProcedureTimeoutError,
} from '../../../lib/core/procedure-call.ts';
import {
  RedshiftDataOptionsError,
  RedshiftDataWarehouse,
  type RedshiftDataWarehouseOptions,
} from '../../../lib/engines/aws/redshift-data-warehouse.ts';

const redshiftData = mockClient(RedshiftDataClient);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:dap-redshift-AbCdEf';

/** A clock that only the injected sleep moves, so timeouts are exact and tests take no real time. */
function fakeTime() {
  let nowMs = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => nowMs,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
  };
}

function warehouse(time: ReturnType<typeof fakeTime>, overrides: Partial<RedshiftDataWarehouseOptions> = {}) {
  return new RedshiftDataWarehouse({
    client: new RedshiftDataClient({ region: 'eu-west-2' }),
    database: 'dap',
    workgroupName: 'dev-dap',
    secretArn: SECRET_ARN,
    sleep: time.sleep,
    now: time.now,
    // The top of the jitter range, so the backoff delays are exact.
    random: () => 1,
    ...overrides,
  });
}

describe('RedshiftDataWarehouse', () => {
  beforeEach(() => {
    redshiftData.reset();
  });

  test('runs CALL with the run id as a named parameter and polls with exponential backoff until FINISHED', async () => {
    // Prepare
    const time = fakeTime();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-1' });
    redshiftData
      .on(DescribeStatementCommand)
      .resolvesOnce({ Id: 'stmt-1', Status: 'SUBMITTED' })
      .resolvesOnce({ Id: 'stmt-1', Status: 'STARTED' })
      .resolvesOnce({ Id: 'stmt-1', Status: 'FINISHED', Duration: 2_345_600_000 });

    // Act
    const result = await warehouse(time).callProcedure('reporting', 'sp_user_journey', ['run-2026-11-21T10:00:00Z']);

    // Assess
    assert.deepEqual(result, { statementId: 'stmt-1', durationMs: 2346 });
    const executes = redshiftData.commandCalls(ExecuteStatementCommand);
    assert.equal(executes.length, 1);
    assert.deepEqual(executes[0]?.args[0].input, {
      Database: 'dap',
      WorkgroupName: 'dev-dap',
      SecretArn: SECRET_ARN,
      Sql: 'CALL "reporting"."sp_user_journey"(:arg_1)',
      Parameters: [{ name: 'arg_1', value: 'run-2026-11-21T10:00:00Z' }],
      StatementName: 'dap:reporting.sp_user_journey',
    });
    const describes = redshiftData.commandCalls(DescribeStatementCommand);
    assert.deepEqual(
      describes.map((call) => call.args[0].input),
      [{ Id: 'stmt-1' }, { Id: 'stmt-1' }, { Id: 'stmt-1' }],
    );
    assert.deepEqual(time.sleeps, [500, 1000, 2000]);
    assert.equal(redshiftData.commandCalls(CancelStatementCommand).length, 0);
  });

  test('caps the backoff at pollMaxMs and jitters each wait within its upper half', async () => {
    // Prepare
    const time = fakeTime();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-2' });
    redshiftData
      .on(DescribeStatementCommand)
      .resolvesOnce({ Status: 'STARTED' })
      .resolvesOnce({ Status: 'STARTED' })
      .resolvesOnce({ Status: 'STARTED' })
      .resolvesOnce({ Status: 'STARTED' })
      .resolvesOnce({ Status: 'STARTED' })
      .resolves({ Status: 'FINISHED' });

    // Act
    const result = await warehouse(time, { pollMaxMs: 4000, random: () => 0 }).callProcedure('reporting', 'sp_x', []);

    // Assess
    assert.deepEqual(time.sleeps, [250, 500, 1000, 2000, 2000, 2000]);
    // No Duration reported, so the measured time stands in.
    assert.deepEqual(result, { statementId: 'stmt-2', durationMs: 7750 });
    const input = redshiftData.commandCalls(ExecuteStatementCommand)[0]?.args[0].input;
    assert.equal(input?.Sql, 'CALL "reporting"."sp_x"()');
    // The Data API rejects an empty parameter list.
    assert.equal(input !== undefined && 'Parameters' in input, false);
  });

  test("surfaces the procedure's own error text when the statement FAILED", async () => {
    // Prepare
    const time = fakeTime();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-3' });
    redshiftData
      .on(DescribeStatementCommand)
      .resolvesOnce({ Status: 'STARTED' })
      .resolves({ Status: 'FAILED', Error: 'ERROR: no data for family x', RedshiftPid: 1234 });

    // Act
    const calling = warehouse(time).callProcedure('reporting', 'sp_x', ['run-1']);

    // Assess
    await assert.rejects(calling, (error: unknown) => {
      assert.ok(error instanceof ProcedureFailedError);
      assert.equal(error.name, 'ProcedureFailedError');
      assert.match(error.message, /ERROR: no data for family x/);
      assert.match(error.message, /reporting\.sp_x/);
      assert.match(error.message, /stmt-3/);
      assert.equal(error.warehouseError, 'ERROR: no data for family x');
      assert.deepEqual(error.cause, {
        statementId: 'stmt-3',
        status: 'FAILED',
        error: 'ERROR: no data for family x',
        redshiftQueryId: undefined,
        redshiftPid: 1234,
        sql: 'CALL "reporting"."sp_x"(:arg_1)',
      });
      return true;
    });
    assert.equal(redshiftData.commandCalls(CancelStatementCommand).length, 0);
  });

  test('cancels the statement and throws ProcedureTimeoutError when it is still running at the deadline', async () => {
    // Prepare
    const time = fakeTime();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-4' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    redshiftData.on(CancelStatementCommand).resolves({ Status: true });

    // Act
    const calling = warehouse(time, { timeoutMs: 5000 }).callProcedure('reporting', 'sp_slow', ['run-1']);

    // Assess
    await assert.rejects(calling, (error: unknown) => {
      assert.ok(error instanceof ProcedureTimeoutError);
      assert.equal(error.name, 'ProcedureTimeoutError');
      assert.match(error.message, /reporting\.sp_slow/);
      assert.match(error.message, /stmt-4/);
      assert.match(error.message, /5000 ms; cancelled it/);
      return true;
    });
    // The last wait is cut to what is left of the budget, so the cancel comes at the deadline, not after it.
    assert.deepEqual(time.sleeps, [500, 1000, 2000, 1500]);
    assert.deepEqual(
      redshiftData.commandCalls(CancelStatementCommand).map((call) => call.args[0].input),
      [{ Id: 'stmt-4' }],
    );
  });

  test('still reports the timeout, with the cancel failure as its cause, when CancelStatement fails', async () => {
    // Prepare
    const time = fakeTime();
    const cancelFailure = new Error('Could not cancel a query that is already complete');
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-5' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'PICKED' });
    redshiftData.on(CancelStatementCommand).rejects(cancelFailure);

    // Act
    const calling = warehouse(time, { timeoutMs: 1000 }).callProcedure('reporting', 'sp_slow', []);

    // Assess
    await assert.rejects(calling, (error: unknown) => {
      assert.ok(error instanceof ProcedureTimeoutError);
      assert.match(error.message, /could not cancel it/);
      assert.equal(error.cause, cancelFailure);
      return true;
    });
  });

  test('throws ProcedureFailedError saying the statement was aborted when it is ABORTED', async () => {
    // Prepare
    const time = fakeTime();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-6' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'ABORTED' });

    // Act
    const calling = warehouse(time).callProcedure('reporting', 'sp_x', ['run-1']);

    // Assess
    await assert.rejects(calling, (error: unknown) => {
      assert.ok(error instanceof ProcedureFailedError);
      assert.equal(error.name, 'ProcedureFailedError');
      assert.match(error.message, /CALL reporting\.sp_x \(statement stmt-6\) was aborted/);
      return true;
    });
  });

  for (const [schema, procedure] of [
    ['reporting', 'sp_x"; drop table users; --'],
    ['Reporting', 'sp_x'],
    ['reporting', ''],
    ['1reporting', 'sp_x'],
    ['reporting', `sp_${'x'.repeat(125)}`],
  ] as const) {
    test(`rejects the identifiers ${JSON.stringify(`${schema}.${procedure}`).slice(0, 40)} before any call`, async () => {
      // Prepare
      const time = fakeTime();

      // Act
      const calling = warehouse(time).callProcedure(schema, procedure, ['run-1']);

      // Assess
      await assert.rejects(calling, InvalidIdentifierError);
      assert.equal(redshiftData.calls().length, 0);
    });
  }

  test('rejects an empty argument before any call, since the Data API cannot bind it', async () => {
    // Prepare
    const time = fakeTime();

    // Act
    const calling = warehouse(time).callProcedure('reporting', 'sp_x', ['']);

    // Assess
    await assert.rejects(calling, InvalidProcedureArgumentError);
    assert.equal(redshiftData.calls().length, 0);
  });

  test('addresses a provisioned cluster with a database user instead of a workgroup and secret', async () => {
    // Prepare
    const time = fakeTime();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-7' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', Duration: 1_000_000 });
    const onCluster = warehouse(time, {
      workgroupName: undefined,
      secretArn: undefined,
      clusterIdentifier: 'dap-cluster',
      dbUser: 'dap_pipeline',
    });

    // Act
    const result = await onCluster.callProcedure('reporting', 'sp_x', ['run-1', 'full']);

    // Assess
    assert.deepEqual(result, { statementId: 'stmt-7', durationMs: 1 });
    assert.deepEqual(redshiftData.commandCalls(ExecuteStatementCommand)[0]?.args[0].input, {
      Database: 'dap',
      ClusterIdentifier: 'dap-cluster',
      DbUser: 'dap_pipeline',
      Sql: 'CALL "reporting"."sp_x"(:arg_1, :arg_2)',
      Parameters: [
        { name: 'arg_1', value: 'run-1' },
        { name: 'arg_2', value: 'full' },
      ],
      StatementName: 'dap:reporting.sp_x',
    });
  });

  for (const [why, options, message] of [
    ['neither workgroup nor cluster', { workgroupName: undefined }, /exactly one of workgroupName/],
    ['both workgroup and cluster', { clusterIdentifier: 'dap-cluster' }, /exactly one of workgroupName/],
    ['both secret and database user', { dbUser: 'dap_pipeline' }, /at most one of secretArn and dbUser/],
    ['a database user on Serverless', { secretArn: undefined, dbUser: 'dap_pipeline' }, /only to a provisioned/],
    ['no database', { database: '' }, /database is required/],
    ['a zero timeout', { timeoutMs: 0 }, /timeoutMs must be a positive/],
    ['a poll ceiling below the first poll', { pollMaxMs: 100 }, /pollMaxMs \(100\) must be at least/],
  ] as const) {
    test(`refuses options with ${why}`, () => {
      // Prepare
      const time = fakeTime();

      // Act
      const constructing = () => warehouse(time, options);

      // Assess
      assert.throws(constructing, (error: unknown) => {
        assert.ok(error instanceof RedshiftDataOptionsError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
