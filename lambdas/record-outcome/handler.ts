import { z } from 'zod';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import type { ObjectStore } from '../../lib/core/ports.ts';
import {
  errorSubjectSchema,
  type FamilyRecord,
  keepError,
  keepFamilyOutcome,
  runIdSchema,
} from '../../lib/core/run-outcomes.ts';
import { type CaughtError, caughtErrorSchema, familyOutcomeSchema } from '../../lib/core/run-report.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { S3ObjectStore } from '../../lib/engines/aws/s3-object-store.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { RECORD_OUTCOME_ENV } from './env.ts';

/**
 * Keeps what a run learns beside its state, so that no state grows with events × error length (Step Functions
 * refuses a state over 256 KiB): `error` stores a long caught error whole and answers what the state carries of it
 * (the start of its Cause and the key of the rest); `family` stores a family's whole outcome and answers what the
 * families Map keeps (its status and the key). The report step reads both back.
 */
export const recordOutcomeEventSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('error'),
    run_id: runIdSchema,
    subject: errorSubjectSchema,
    error: caughtErrorSchema,
  }),
  z.object({ action: z.literal('family'), run_id: runIdSchema, outcome: familyOutcomeSchema }),
]);

export interface RecordOutcomeDeps {
  readonly store: ObjectStore;
  readonly processResultsBucket: string;
}

export function makeHandler(deps: RecordOutcomeDeps) {
  return async (event: unknown): Promise<CaughtError | FamilyRecord> => {
    const input = parseEvent('record-outcome', recordOutcomeEventSchema, event);
    if (input.action === 'error')
      return keepError(deps.store, deps.processResultsBucket, input.run_id, input.subject, input.error);
    return keepFamilyOutcome(deps.store, deps.processResultsBucket, input.run_id, input.outcome);
  };
}

export const handler = lambdaEntry(
  'record-outcome',
  () =>
    makeHandler({
      store: new S3ObjectStore(),
      processResultsBucket: requireEnv(RECORD_OUTCOME_ENV.processResultsBucket),
    }),
  (result) => ('outcome_key' in result ? { kept: result.outcome_key } : { kept: result.cause_key ?? null }),
);
