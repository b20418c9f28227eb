/**
 * Environment variable names: each handler folder's `env.ts` lists what that handler reads, and the stack sets the
 * variables by the same names (`lib/infra` may import these modules and nothing else under `lambdas/`). They import
 * nothing but one another, so synthesis never loads a handler, middy, Powertools or the SDK.
 */

/** What `awsRuntime()` reads. */
export const RUNTIME_ENV = { environment: 'DAP_ENV', metadataBucket: 'METADATA_BUCKET' } as const;

/** What `redshiftDataWarehouseFromEnv` (`lib/engines/aws`) reads; `test/lambdas/env.test.ts` pins the two together. */
export const REDSHIFT_DATA_API_ENV = {
  database: 'REDSHIFT_DATABASE',
  workgroup: 'REDSHIFT_WORKGROUP',
  cluster: 'REDSHIFT_CLUSTER',
  secretArn: 'REDSHIFT_SECRET_ARN',
  dbUser: 'REDSHIFT_DB_USER',
  procedureTimeoutSeconds: 'PROCEDURE_TIMEOUT_SECONDS',
} as const;
