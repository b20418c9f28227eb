import { z } from 'zod';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import { migrateWarehouse, type WarehouseMigrationOutcome } from '../../lib/core/migrations.ts';
import { environment as environmentOf, type Project } from '../../lib/core/model/project.ts';
import type { MigratableWarehouse } from '../../lib/core/ports.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { RedshiftDataMigrationTarget } from '../../lib/engines/aws/redshift-data-migrations.ts';
import { redshiftDataWarehouseFromEnv } from '../../lib/engines/aws/redshift-data-warehouse.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { awsRuntime } from '../shared/runtime.ts';
import { MIGRATE_WAREHOUSE_ENV } from './env.ts';

/**
 * Brings the reporting model up to the deployed scripts at the start of a run, before any procedure is called:
 * makes sure the Spectrum external schemas over the Glue stage and raw databases exist, then applies pending
 * migrations and changed procedures (`redshift-scripts/`) in order. A failure is thrown: the state machine records
 * every reporting family as failed with this message and calls no procedure.
 */

export const migrateWarehouseEventSchema = z.object({
  run_id: z.string({ error: 'expected the run id as a string' }).min(1, { error: 'expected a non-empty run id' }),
});

export interface MigrateWarehouseDeps {
  /** The environment's name (`DAP_ENV`), to read its `redshift` section from the deployed config. */
  readonly environment: string;
  readonly projectForRun: (runId: string) => Promise<Project>;
  /** Opened when a run first needs it. */
  readonly warehouse: () => Promise<MigratableWarehouse>;
}

/** Read by the state machine with JSONPath, hence snake_case. */
export type MigrateWarehouseResult = WarehouseMigrationOutcome;

export function makeHandler(deps: MigrateWarehouseDeps) {
  return async (event: unknown): Promise<MigrateWarehouseResult> => {
    const { run_id } = parseEvent('migrate-warehouse', migrateWarehouseEventSchema, event);
    const project = await deps.projectForRun(run_id);
    return migrateWarehouse(await deps.warehouse(), project, environmentOf(project, deps.environment), run_id);
  };
}

/**
 * The AWS wiring, from the variables the stack sets: the Data API variables (`redshiftDataWarehouseFromEnv`),
 * `REDSHIFT_SCHEMA` and `SPECTRUM_ROLE_ARN`.
 */
export function awsWarehouse(): MigratableWarehouse {
  return new RedshiftDataMigrationTarget(
    redshiftDataWarehouseFromEnv(),
    requireEnv(MIGRATE_WAREHOUSE_ENV.schema),
    requireEnv(MIGRATE_WAREHOUSE_ENV.spectrumRoleArn),
  );
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
