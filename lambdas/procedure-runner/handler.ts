import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import { identifier } from '../../lib/core/model/schemas.ts';
import type { Warehouse } from '../../lib/core/ports.ts';
import { assertIdentifier, procedureNameForFamily, qualifiedName } from '../../lib/core/procedure-call.ts';
import { failedDependencies, skipReason } from '../../lib/core/reporting-gate.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { redshiftDataWarehouseFromEnv } from '../../lib/engines/aws/redshift-data-warehouse.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { PROCEDURE_RUNNER_ENV } from './env.ts';

/**
 * Runs one reporting family's stored procedure, `CALL <schema>.sp_<family>(run_id)`, for the state machine's
 * Redshift step. Failures are thrown, not returned: the state machine's Catch matches on the error name
 * (`ProcedureFailedError`, `ProcedureTimeoutError`) and records the family as failed with the message.
 */

export const procedureRunnerEvent = z.object({
  product_family: identifier,
  run_id: z.string({ error: 'expected the run id as a string' }).min(1, { error: 'expected a non-empty run id' }),
  /** Families whose failure in this run means the procedure is not called (from the plan). */
  depends_on: z.array(identifier).default([]),
  /** Whether the procedure takes the run id (`sp_x(run_id varchar)`) or nothing (`sp_x()`), from the plan. */
  takes_run_id: z.boolean().default(true),
  /** This run's family outcomes, as the state machine collected them; only names and statuses are read. */
  families: z.array(z.object({ product_family: z.string(), status: z.string() })).default([]),
});

export type ProcedureRunnerEvent = z.infer<typeof procedureRunnerEvent>;

/** Read by the state machine with JSONPath, hence snake_case. */
export interface ProcedureRunnerResult {
  readonly product_family: string;
  /** `<schema>.sp_<family>` */
  readonly procedure: string;
  readonly status: 'SUCCEEDED';
  readonly statement_id: string;
  readonly duration_ms: number;
}

/** The procedure was not called because a family it depends on failed in this run. */
export interface ProcedureSkippedResult {
  readonly product_family: string;
  readonly procedure: string;
  readonly status: 'SKIPPED';
  readonly reason: string;
}

export interface ProcedureRunnerDeps {
  readonly warehouse: Warehouse;
  /** The Redshift schema holding the reporting procedures. */
  readonly schema: string;
  /** @default a Powertools logger for service `dap-procedure-runner` */
  readonly logger?: Logger;
}

export function makeHandler(
  deps: ProcedureRunnerDeps,
): (event: unknown) => Promise<ProcedureRunnerResult | ProcedureSkippedResult> {
  assertIdentifier('schema', deps.schema);
  const log = deps.logger ?? new Logger({ serviceName: 'dap-procedure-runner' });
  return async (event) => {
    // An event off the contract fails with one line naming each field: it lands in the run report as is.
    const { product_family, run_id, depends_on, takes_run_id, families } = parseEvent(
      'procedure-runner',
      procedureRunnerEvent,
      event,
    );
    const procedure = procedureNameForFamily(product_family);
    const qualified = qualifiedName(deps.schema, procedure);
    const failed = failedDependencies(depends_on, families);
    if (failed.length > 0) {
      const reason = skipReason(qualified, failed);
      log.warn('reporting procedure skipped', { product_family, run_id, failed_dependencies: failed });
      return { product_family, procedure: qualified, status: 'SKIPPED', reason };
    }
    log.info('calling reporting procedure', { product_family, run_id, procedure: qualified });
    try {
      const { statementId, durationMs } = await deps.warehouse.callProcedure(
        deps.schema,
        procedure,
        takes_run_id ? [run_id] : [],
      );
      log.info('reporting procedure finished', { product_family, statement_id: statementId, duration_ms: durationMs });
      return {
        product_family,
        procedure: qualified,
        status: 'SUCCEEDED',
        statement_id: statementId,
        duration_ms: durationMs,
      };
    } catch (error: unknown) {
      // Logged here with the family for searching; rethrown unchanged so the state machine sees the original name.
      const reason = error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
      log.error('reporting procedure failed', { product_family, run_id, procedure: qualified, ...reason });
      throw error;
    }
  };
}

/** Leaves headroom under Lambda's 15-minute ceiling so the adapter cancels the statement before Lambda kills us. */
const DEFAULT_PROCEDURE_TIMEOUT_SECONDS = 14 * 60;

/**
 * The AWS wiring, from the variables the stack sets: `REDSHIFT_DATABASE`, exactly one of `REDSHIFT_WORKGROUP` and
 * `REDSHIFT_CLUSTER`, `REDSHIFT_SCHEMA`, and optionally `REDSHIFT_SECRET_ARN`, `REDSHIFT_DB_USER`,
 * `PROCEDURE_TIMEOUT_SECONDS` (keep it below the function's timeout).
 */
export function depsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ProcedureRunnerDeps {
  const warehouse = redshiftDataWarehouseFromEnv(env, { defaultTimeoutMs: DEFAULT_PROCEDURE_TIMEOUT_SECONDS * 1000 });
  return { warehouse, schema: requireEnv(PROCEDURE_RUNNER_ENV.schema, env) };
}

export const handler = lambdaEntry(
  'procedure-runner',
  (logger) => makeHandler({ ...depsFromEnvironment(), logger }),
  (result) => ({ family: result.product_family, status: result.status }),
);
