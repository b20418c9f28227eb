import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { REDSHIFT_DATA_API_ENV } from '../../lambdas/shared/env.ts';
import { InvalidEnvironmentVariableError, MissingEnvironmentVariableError } from '../../lib/engines/aws/env.ts';
import { redshiftDataWarehouseFromEnv } from '../../lib/engines/aws/redshift-data-warehouse.ts';

/**
 * The stack sets the Data API variables by the names in `REDSHIFT_DATA_API_ENV`; the adapter reads its own. These
 * tests hold the two to the same names, through what the adapter sends.
 */
describe('REDSHIFT_DATA_API_ENV names the variables redshiftDataWarehouseFromEnv reads', () => {
  const redshiftData = mockClient(RedshiftDataClient);

  beforeEach(() => {
    redshiftData.reset();
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'stmt-1' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', Duration: 1_000_000 });
  });

  async function sentWith(env: Record<string, string>) {
    await redshiftDataWarehouseFromEnv(env).callProcedure('reporting', 'sp_probe', []);
    return redshiftData.commandCalls(ExecuteStatementCommand)[0]?.args[0].input;
  }

  test('database, workgroup and secret', async () => {
    // Act
    const input = await sentWith({
      [REDSHIFT_DATA_API_ENV.database]: 'dap',
      [REDSHIFT_DATA_API_ENV.workgroup]: 'dev-dap',
      [REDSHIFT_DATA_API_ENV.secretArn]: 'arn:aws:secretsmanager:eu-west-2:111111111111:secret:dap',
    });

    // Assess
    assert.equal(input?.Database, 'dap');
    assert.equal(input?.WorkgroupName, 'dev-dap');
    assert.equal(input?.SecretArn, 'arn:aws:secretsmanager:eu-west-2:111111111111:secret:dap');
  });

  test('cluster and database user', async () => {
    // Act
    const input = await sentWith({
      [REDSHIFT_DATA_API_ENV.database]: 'dap',
      [REDSHIFT_DATA_API_ENV.cluster]: 'dap-cluster',
      [REDSHIFT_DATA_API_ENV.dbUser]: 'dap_pipeline',
    });

    // Assess
    assert.equal(input?.ClusterIdentifier, 'dap-cluster');
    assert.equal(input?.DbUser, 'dap_pipeline');
  });

  test('the database is required and the procedure timeout read, each by its name', () => {
    // Act + Assess
    assert.throws(
      () => redshiftDataWarehouseFromEnv({ [REDSHIFT_DATA_API_ENV.workgroup]: 'dev-dap' }),
      (error: unknown) =>
        error instanceof MissingEnvironmentVariableError && error.variable === REDSHIFT_DATA_API_ENV.database,
    );
    assert.throws(
      () =>
        redshiftDataWarehouseFromEnv({
          [REDSHIFT_DATA_API_ENV.database]: 'dap',
          [REDSHIFT_DATA_API_ENV.workgroup]: 'dev-dap',
          [REDSHIFT_DATA_API_ENV.procedureTimeoutSeconds]: 'soon',
        }),
      (error: unknown) =>
        error instanceof InvalidEnvironmentVariableError &&
        error.variable === REDSHIFT_DATA_API_ENV.procedureTimeoutSeconds,
    );
  });
});
