import middy from '@middy/core';
import { type FamilyStepInput, familyOutcome, familyStepInputSchema } from '../../lib/core/family-outcome.ts';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import type { CheckOutcome, FamilyOutcome } from '../../lib/core/run-report.ts';

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

export const handler = middy().handler((event: unknown) => makeHandler({ runChecks: async () => [] })(event));
