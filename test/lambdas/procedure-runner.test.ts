import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { Logger } from '@aws-lambda-powertools/logger';
import { DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { depsFromEnvironment, makeHandler } from '../../lambdas/procedure-runner/handler.ts';
import { InvalidEventError } from '../../lib/core/lambda-event.ts';
import type { Warehouse } from '../../lib/core/ports.ts';
import { InvalidIdentifierError, ProcedureFailedError } from '../../lib/core/procedure-call.ts';
import { MissingEnvironmentVariableError } from '../../lib/engines/aws/env.ts';
import { RedshiftDataWarehouse } from '../../lib/engines/aws/redshift-data-warehouse.ts';

const quiet = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

/** A `Warehouse` that records its calls and answers with `respond`. */
function fakeWarehouse(respond: () => Promise<{ statementId: string; durationMs: number }>) {
  const calls: { schema: string; procedure: string; args: readonly string[] }[] = [];
  const warehouse: Warehouse = {
    callProcedure: async (schema, procedure, args) => {
      calls.push({ schema, procedure, args });
      return respond();
    },
  };
  return { warehouse, calls };
}

describe('procedure-runner handler with a fake warehouse', () => {
  test('a procedure written without a run id parameter (sp_x(), as DAP writes them) is called with nothing', async () => {
    // Prepare
    const { warehouse, calls } = fakeWarehouse(async () => ({ statementId: 'stmt-1', durationMs: 1 }));
    const handler = makeHandler({ warehouse, schema: 'conformed', logger: quiet });

    // Act
    await handler({ product_family: 'auth_account_creation', run_id: 'run-42', takes_run_id: false });

    // Assess
    assert.deepEqual(calls, [{ schema: 'conformed', procedure: 'sp_auth_account_creation', args: [] }]);
  });

  test('calls sp_<family> with the run id and returns the snake_case result the state machine reads', async () => {
    // Prepare
    const { warehouse, calls } = fakeWarehouse(async () => ({ statementId: 'stmt-1', durationMs: 1234 }));
    const handler = makeHandler({ warehouse, schema: 'reporting', logger: quiet });

    // Act
    const result = await handler({ product_family: 'user_journey', run_id: 'run-42' });

    // Assess
    assert.deepEqual(calls, [{ schema: 'reporting', procedure: 'sp_user_journey', args: ['run-42'] }]);
    assert.deepEqual(result, {
      product_family: 'user_journey',
      procedure: 'reporting.sp_user_journey',
      status: 'SUCCEEDED',
      statement_id: 'stmt-1',
      duration_ms: 1234,
    });
  });

  test('does not call the procedure when a family it depends on failed in this run, and says which', async () => {
    // Prepare
    const { warehouse, calls } = fakeWarehouse(async () => ({ statementId: 'stmt-1', durationMs: 1 }));
    const handler = makeHandler({ warehouse, schema: 'reporting', logger: quiet });
    const families = [
      { product_family: 'auth_account_creation', status: 'SUCCEEDED', events: [] },
      { product_family: 'dcmaw_app_journey', status: 'FAILED', events: [] },
      { product_family: 'eventbrite', status: 'FAILED', events: [] },
    ];

    // Act
    const skipped = await handler({
      product_family: 'user_journey',
      run_id: 'run-42',
      depends_on: ['auth_account_creation', 'dcmaw_app_journey'],
      families,
    });
    const built = await handler({
      product_family: 'user_journey',
      run_id: 'run-42',
      depends_on: ['auth_account_creation'],
      families,
    });

    // Assess: only the call whose dependencies all passed reached the warehouse
    assert.equal(skipped.status, 'SKIPPED');
    assert.match(
      'reason' in skipped ? skipped.reason : '',
      /^reporting\.sp_user_journey not called: family "dcmaw_app_journey" failed in this run/,
    );
    assert.equal(built.status, 'SUCCEEDED');
    assert.equal(calls.length, 1);
  });

  test('rethrows the warehouse error unchanged, so the state machine can match on its name', async () => {
    // Prepare
    const failure = new ProcedureFailedError(
      { schema: 'reporting', procedure: 'sp_user_journey', statementId: 'stmt-2', warehouseError: 'ERROR: boom' },
      { status: 'FAILED' },
    );
    const { warehouse } = fakeWarehouse(async () => Promise.reject(failure));
    const handler = makeHandler({ warehouse, schema: 'reporting', logger: quiet });

    // Act
    const running = handler({ product_family: 'user_journey', run_id: 'run-42' });

    // Assess
    await assert.rejects(running, (error: unknown) => {
      assert.equal(error, failure);
      assert.equal((error as Error).name, 'ProcedureFailedError');
      return true;
    });
  });

  for (const [why, event, field] of [
    ['a family that is not an identifier', { product_family: 'Bad-Name', run_id: 'run-1' }, 'product_family'],
    ['no family', { run_id: 'run-1' }, 'product_family'],
    ['an empty run id', { product_family: 'user_journey', run_id: '' }, 'run_id'],
    ['a numeric run id', { product_family: 'user_journey', run_id: 42 }, 'run_id'],
  ] as const) {
    test(`rejects an event with ${why}, naming the field, without calling the warehouse`, async () => {
      // Prepare
      const { warehouse, calls } = fakeWarehouse(async () => ({ statementId: 'unused', durationMs: 0 }));
      const handler = makeHandler({ warehouse, schema: 'reporting', logger: quiet });

      // Act
      const running = handler(event);

      // Assess
      await assert.rejects(running, (error: unknown) => {
        assert.ok(error instanceof InvalidEventError);
        assert.equal(error.name, 'InvalidEventError');
        assert.match(error.message, new RegExp(`^procedure-runner event is invalid: (.*; )?${field}: `));
        return true;
      });
      assert.equal(calls.length, 0);
    });
  }

  test('refuses a schema that is not an identifier when it is bound', () => {
    // Prepare
    const { warehouse } = fakeWarehouse(async () => ({ statementId: 'unused', durationMs: 0 }));

    // Act
    const binding = () => makeHandler({ warehouse, schema: 'reporting; drop', logger: quiet });

    // Assess
    assert.throws(binding, InvalidIdentifierError);
  });
});

describe('procedure-runner handler over the Redshift Data API adapter', () => {
  const redshiftData = mockClient(RedshiftDataClient);
  const warehouse = () =>
    new RedshiftDataWarehouse({
      client: new RedshiftDataClient({ region: 'eu-west-2' }),
      database: 'dap',
      workgroupName: 'dev-dap',
      sleep: async () => {},
    });

  beforeEach(() => {
    redshiftData.reset();
  });

  test('returns the statement id and the duration Redshift reports', async () => {
    // Prepare
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-3' });
    redshiftData
      .on(DescribeStatementCommand)
      .resolvesOnce({ Status: 'STARTED' })
      .resolves({ Status: 'FINISHED', Duration: 42_000_000 });
    const handler = makeHandler({ warehouse: warehouse(), schema: 'reporting', logger: quiet });

    // Act
    const result = await handler({ product_family: 'single_customer_view', run_id: 'run-42' });

    // Assess
    assert.deepEqual(result, {
      product_family: 'single_customer_view',
      procedure: 'reporting.sp_single_customer_view',
      status: 'SUCCEEDED',
      statement_id: 'stmt-3',
      duration_ms: 42,
    });
    const input = redshiftData.commandCalls(ExecuteStatementCommand)[0]?.args[0].input;
    assert.equal(input?.Sql, 'CALL "reporting"."sp_single_customer_view"(:arg_1)');
    assert.deepEqual(input?.Parameters, [{ name: 'arg_1', value: 'run-42' }]);
  });

  test("propagates the procedure's RAISE EXCEPTION text as a ProcedureFailedError", async () => {
    // Prepare
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-4' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'FAILED', Error: 'ERROR: no data for family x' });
    const handler = makeHandler({ warehouse: warehouse(), schema: 'reporting', logger: quiet });

    // Act
    const running = handler({ product_family: 'user_journey', run_id: 'run-42' });

    // Assess
    await assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'ProcedureFailedError');
      assert.equal(
        error.message,
        'CALL reporting.sp_user_journey (statement stmt-4) failed: ERROR: no data for family x',
      );
      return true;
    });
  });
});

describe('procedure-runner wiring from the environment', () => {
  const complete = {
    REDSHIFT_DATABASE: 'dap',
    REDSHIFT_WORKGROUP: 'dev-dap',
    REDSHIFT_SCHEMA: 'reporting',
    REDSHIFT_SECRET_ARN: '',
  };

  test('binds the Data API adapter and the schema from the variables the stack sets', () => {
    // Prepare
    const env = { ...complete };

    // Act
    const deps = depsFromEnvironment(env);

    // Assess
    assert.ok(deps.warehouse instanceof RedshiftDataWarehouse);
    assert.equal(deps.schema, 'reporting');
  });

  test('names the missing variable', () => {
    // Prepare
    const { REDSHIFT_SCHEMA: _schema, ...env } = complete;

    // Act
    const binding = () => depsFromEnvironment(env);

    // Assess
    assert.throws(binding, (error: unknown) => {
      assert.ok(error instanceof MissingEnvironmentVariableError);
      assert.match(error.message, /REDSHIFT_SCHEMA/);
      return true;
    });
  });

  test('refuses both a workgroup and a cluster', () => {
    // Prepare
    const env = { ...complete, REDSHIFT_CLUSTER: 'dap-cluster' };

    // Act
    const binding = () => depsFromEnvironment(env);

    // Assess
    assert.throws(binding, /exactly one of workgroupName/);
  });
});
