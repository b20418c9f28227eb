import middy from '@middy/core';
import { z } from 'zod';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import { eventOutcomeSchema, type FamilyOutcome } from '../../lib/core/run-report.ts';

export const finishFamilyEventSchema = z.object({
  run_id: z.string().min(1),
  product_family: z.string(),
  events: z.array(eventOutcomeSchema),
});

/** Decides the family's outcome from its events: one failed event fails the family (and only the family). */
export function makeHandler() {
  return async (event: unknown): Promise<FamilyOutcome> => {
    const { product_family, events } = parseEvent('finish-family', finishFamilyEventSchema, event);
    const failed = events.some((e) => e.status === 'FAILED');
    return { product_family, status: failed ? 'FAILED' : 'SUCCEEDED', events };
  };
}

export const handler = middy().handler((event: unknown) => makeHandler()(event));
