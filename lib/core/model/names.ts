import type { Problem } from './problems.ts';
import { PATHS } from './project.ts';
import type { EnvironmentConfig } from './schemas.ts';

/** Every physical name derived from an environment, in one place so CDK, Lambdas and the local twin agree. */
export interface ResourceNames {
  readonly prefix: string;
  readonly rawDatabase: string;
  readonly stageDatabase: string;
  /** Where each event's window is staged (one table per event) before it is merged into its stage table. */
  readonly incomingDatabase: string;
  /** dap's own tables for operators and analysts: `run_reports`, every run's report. */
  readonly opsDatabase: string;
  readonly workgroup: string;
  readonly stateMachine: string;
  readonly controlTable: string;
  readonly buckets: {
    readonly landing: string;
    readonly raw: string;
    readonly stage: string;
    readonly archive: string;
    readonly quarantine: string;
    readonly processResults: string;
    readonly metadata: string;
    readonly athenaResults: string;
    readonly accessLogs: string;
  };
}

export function resourceNames(env: Pick<EnvironmentConfig, 'name' | 'name_prefix'>): ResourceNames {
  const prefix = env.name_prefix ?? `${env.name}-dap`;
  const glue = prefix.replaceAll('-', '_');
  return {
    prefix,
    rawDatabase: `${glue}_raw`,
    stageDatabase: `${glue}_stage`,
    incomingDatabase: `${glue}_incoming`,
    opsDatabase: `${glue}_ops`,
    workgroup: `${prefix}-workgroup`,
    stateMachine: `${prefix}-raw-to-stage`,
    controlTable: `${prefix}-control`,
    buckets: {
      landing: `${prefix}-landing`,
      raw: `${prefix}-raw`,
      stage: `${prefix}-stage`,
      archive: `${prefix}-archive`,
      quarantine: `${prefix}-quarantine`,
      processResults: `${prefix}-step-function-process-results`,
      metadata: `${prefix}-elt-metadata`,
      athenaResults: `${prefix}-athena-results`,
      accessLogs: `${prefix}-access-logs`,
    },
  };
}

export type BucketKey = keyof ResourceNames['buckets'];

/**
 * The S3 names of the deployed buckets: `resourceNames(env).buckets` suffixed with the account id, because S3 names
 * are global across every AWS account and `dev-dap-raw` alone would collide with anyone else's. The local twin keeps
 * the unsuffixed names for its folders; only code that talks to real S3 (CDK, the CLI in AWS mode) uses these.
 */
export function s3BucketNames(
  env: Pick<EnvironmentConfig, 'name' | 'name_prefix' | 'account'>,
): Readonly<Record<BucketKey, string>> {
  const { buckets } = resourceNames(env);
  const entries = Object.entries(buckets).map(([key, name]) => [key, `${name}-${env.account}`]);
  return Object.fromEntries(entries) as Record<BucketKey, string>;
}

/** S3's rules for a bucket name that this project can break: 3-63 characters of `a-z`, `0-9`, `-`, no `_`. */
const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Why the environment's bucket names would be rejected by S3, as problems against the environment file: the prefix
 * comes from `name_prefix`, or from `name` (an identifier, so it may hold `_`), and the longest bucket name must fit
 * in 63 characters.
 */
export function bucketNameProblems(env: Pick<EnvironmentConfig, 'name' | 'name_prefix' | 'account'>): Problem[] {
  const file = `${PATHS.environments}/${env.name}.json`;
  const at = env.name_prefix === undefined ? 'name' : 'name_prefix';
  const problems: Problem[] = [];
  for (const bucket of Object.values(s3BucketNames(env))) {
    if (!S3_BUCKET_NAME.test(bucket)) {
      const reason =
        bucket.length > 63
          ? `is ${bucket.length} characters, S3 allows 63; use a shorter name_prefix`
          : 'is not a valid S3 bucket name (lower-case letters, digits and hyphens only); set name_prefix';
      problems.push({ file, at, message: `bucket name "${bucket}" ${reason}` });
      break;
    }
  }
  return problems;
}

/**
 * The database role the reporting Lambda (procedure runner) works under: created by the platform's generated
 * `runner_role` script (`lib/core/migrations.ts`), holding only
 * EXECUTE on the families' procedures (which run as their owner). Per reporting schema, as roles are cluster-wide.
 */
export function reportingRunnerRole(reportingSchema: string): string {
  return `${reportingSchema}_runner`;
}
