import { z } from 'zod';
import { environment as environmentOf, type Project } from '../../lib/config/loader.ts';
import { resourceNames } from '../../lib/config/names.ts';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import { type MigrationTarget, migrate, warehouseBindings } from '../../lib/core/migrations.ts';
import { requireEnv, requirePositiveIntegerEnv } from '../../lib/engines/aws/env.ts';
import { lambdaEntry } from '../../lib/engines/aws/lambda-entry.ts';
import { RedshiftDataMigrationTarget } from '../../lib/engines/aws/redshift-data-migrations.ts';
import { RedshiftDataWarehouse } from '../../lib/engines/aws/redshift-data-warehouse.ts';
import { awsRuntime } from '../../lib/engines/aws/runtime.ts';

/**
 * Brings the reporting model up to the deployed scripts at the start of a run, before any procedure is called:
 * makes sure the Spectrum external schemas over the Glue stage and raw databases exist, then applies pending
 * migrations and changed procedures (`redshift-scripts/`) in order. A failure is thrown: the state machine records
 * every reporting family as failed with this message and calls no procedure.
 */

export const migrateWarehouseEventSchema = z.object({
  run_id: z.string({ error: 'expected the run id as a string' }).min(1, { error: 'expected a non-empty run id' }),
});

/** The warehouse to migrate: Redshift through the Data API in AWS, PGlite in the local twin. */
export interface MigratableWarehouse extends MigrationTarget {
  /** Creates the schema standing for one Glue database unless it exists. */
  ensureExternalSchema(external: { readonly schema: string; readonly glueDatabase: string }): Promise<void>;
}

export interface MigrateWarehouseDeps {
  /** The environment's name (`DAP_ENV`), to read its `redshift` section from the deployed config. */
  readonly environment: string;
  readonly projectForRun: (runId: string) => Promise<Project>;
  /** Opened when a run first needs it. */
  readonly warehouse: () => Promise<MigratableWarehouse>;
}

/** Read by the state machine with JSONPath, hence snake_case. */
export interface MigrateWarehouseResult {
  readonly external_schemas: readonly string[];
  /** Scripts applied by this run, in order; empty when the model was up to date. */
  readonly applied: readonly string[];
}

export function makeHandler(deps: MigrateWarehouseDeps) {
  return async (event: unknown): Promise<MigrateWarehouseResult> => {
    const { run_id } = parseEvent('migrate-warehouse', migrateWarehouseEventSchema, event);
    const project = await deps.projectForRun(run_id);
    const env = environmentOf(project, deps.environment);
    const names = resourceNames(env);
    const warehouse = await deps.warehouse();
    const external = [
      { schema: env.redshift.stage_schema, glueDatabase: names.stageDatabase },
      { schema: env.redshift.raw_schema, glueDatabase: names.rawDatabase },
    ];
    // First: a migration may create a view over an external table.
    for (const schema of external) await warehouse.ensureExternalSchema(schema);
    const outcome = await migrate(warehouse, project.warehouseScripts, warehouseBindings(env.redshift), run_id);
    return { external_schemas: external.map((e) => e.schema), applied: outcome.applied.map((s) => s.script) };
  };
}

/** An empty variable counts as unset, as for the procedure runner. */
function optionalEnv(variable: string): string | undefined {
  const value = process.env[variable];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The AWS wiring, from the variables the stack sets: `REDSHIFT_DATABASE`, `REDSHIFT_SCHEMA`, exactly one of
 * `REDSHIFT_WORKGROUP` and `REDSHIFT_CLUSTER`, `SPECTRUM_ROLE_ARN`, optionally `REDSHIFT_SECRET_ARN` and
 * `PROCEDURE_TIMEOUT_SECONDS` (how long one script may run).
 */
export function awsWarehouse(): MigratableWarehouse {
  const timeout = optionalEnv('PROCEDURE_TIMEOUT_SECONDS');
  const warehouse = new RedshiftDataWarehouse({
    database: requireEnv('REDSHIFT_DATABASE'),
    workgroupName: optionalEnv('REDSHIFT_WORKGROUP'),
    clusterIdentifier: optionalEnv('REDSHIFT_CLUSTER'),
    secretArn: optionalEnv('REDSHIFT_SECRET_ARN'),
    ...(timeout === undefined ? {} : { timeoutMs: requirePositiveIntegerEnv('PROCEDURE_TIMEOUT_SECONDS') * 1000 }),
  });
  return new RedshiftDataMigrationTarget(warehouse, requireEnv('REDSHIFT_SCHEMA'), requireEnv('SPECTRUM_ROLE_ARN'));
}

export const handler = lambdaEntry(
  'migrate-warehouse',
  () => {
    const runtime = awsRuntime();
    const warehouse = awsWarehouse();
    return makeHandler({
      environment: runtime.environment,
      projectForRun: runtime.projectForRun,
      warehouse: async () => warehouse,
    });
  },
  (result) => ({ applied: result.applied }),
);
