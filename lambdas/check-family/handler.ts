import { AthenaClient } from '@aws-sdk/client-athena';
import {
  type FamilyStepInput,
  familyOutcome,
  familyStepInputSchema,
  runFamilyChecks,
} from '../../lib/core/family-outcome.ts';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environment } from '../../lib/core/model/project.ts';
import type { CheckOutcome, FamilyOutcome } from '../../lib/core/run-report.ts';
import { AthenaQueryEngine } from '../../lib/engines/aws/athena-query-engine.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { awsRuntime } from '../shared/runtime.ts';
import { CHECK_FAMILY_ENV } from './env.ts';

export interface CheckFamilyDeps {
  /** Runs the family's declared data-quality checks over the rows its events wrote. */
  readonly runChecks: (input: FamilyStepInput) => Promise<CheckOutcome[]>;
}

/** After a family's events: its data-quality checks, and from them and the events, the family's outcome. */
export function makeHandler(deps: CheckFamilyDeps) {
  return async (event: unknown): Promise<FamilyOutcome> => {
    const input = parseEvent('check-family', familyStepInputSchema, event);
    const eventsFailed = input.events.some((e) => e.status === 'FAILED');
    // Checks judge what the events wrote; when an event failed the family fails anyway and they would only add noise.
    const checks = eventsFailed ? [] : await deps.runChecks(input);
    return familyOutcome(input, checks);
  };
}

export const handler = lambdaEntry(
  'check-family',
  () => {
    const runtime = awsRuntime();
    const engine = new AthenaQueryEngine({
      client: new AthenaClient({}),
      workgroup: requireEnv(CHECK_FAMILY_ENV.athenaWorkgroup),
    });
    return makeHandler({
      runChecks: async (input) => {
        const project = await runtime.projectForRun(input.run_id);
        return runFamilyChecks(engine, project, resourceNames(environment(project, runtime.environment)), input);
      },
    });
  },
  (outcome) => ({
    family: outcome.product_family,
    status: outcome.status,
    failed_checks: outcome.checks.filter((c) => c.status !== 'PASSED').map((c) => c.name),
  }),
);
