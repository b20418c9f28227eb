import { z } from 'zod';
import { commitWatermarks, familyStepInputSchema } from '../../lib/core/family-outcome.ts';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import type { ControlStore } from '../../lib/core/ports.ts';
import { type FamilyOutcome, familyOutcomeSchema } from '../../lib/core/run-report.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { COMMIT_FAMILY_ENV } from './env.ts';

export const commitFamilyEventSchema = z.object({
  run_id: z.string().min(1),
  replay: familyStepInputSchema.shape.replay,
  outcome: familyOutcomeSchema,
});

export interface CommitFamilyDeps {
  readonly control: ControlStore;
  readonly now: () => Date;
}

/** Commits a family that passed: each event's watermark moves to the end of its window. */
export function makeHandler(deps: CommitFamilyDeps) {
  return async (event: unknown): Promise<FamilyOutcome> => {
    const { run_id, replay, outcome } = parseEvent('commit-family', commitFamilyEventSchema, event);
    const committed = await commitWatermarks(
      deps.control,
      { run_id, product_family: outcome.product_family, events: outcome.events, replay },
      deps.now(),
    );
    return { ...outcome, committed };
  };
}

export const handler = lambdaEntry(
  'commit-family',
  () =>
    makeHandler({
      control: new DynamoDbControlStore({ tableName: requireEnv(COMMIT_FAMILY_ENV.controlTable) }),
      now: () => new Date(),
    }),
  (outcome) => ({ family: outcome.product_family, committed: outcome.committed }),
);
