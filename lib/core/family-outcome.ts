import { z } from 'zod';
import type { ControlStore } from '../engines/ports.ts';
import { replaySchema } from './prepare-event.ts';
import { type CheckOutcome, eventOutcomeSchema, type FamilyOutcome } from './run-report.ts';
import { isEmptyWindow, type Watermark, watermarkKey } from './window.ts';

export const familyStepInputSchema = z.object({
  run_id: z.string().min(1),
  product_family: z.string(),
  events: z.array(eventOutcomeSchema),
  replay: replaySchema,
});
export type FamilyStepInput = z.infer<typeof familyStepInputSchema>;

/** A family fails when any of its events failed or any error-severity check did not pass. */
export function familyOutcome(input: FamilyStepInput, checks: readonly CheckOutcome[]): FamilyOutcome {
  const eventFailed = input.events.some((e) => e.status === 'FAILED');
  const checkFailed = checks.some((c) => c.severity === 'error' && c.status !== 'PASSED');
  return {
    product_family: input.product_family,
    status: eventFailed || checkFailed ? 'FAILED' : 'SUCCEEDED',
    events: input.events,
    checks: [...checks],
    committed: [],
  };
}

/**
 * Advances each event's watermark to the end of the window it processed, only after the family's events and checks
 * all passed. A replay (backfill) never moves watermarks. A watermark another run moved further is left alone.
 */
export async function commitWatermarks(
  control: ControlStore,
  input: FamilyStepInput,
  now: Date,
): Promise<{ event_name: string; through: string }[]> {
  if (input.replay) return [];
  const committed: { event_name: string; through: string }[] = [];
  for (const event of input.events) {
    if (event.status !== 'SUCCEEDED' || !event.window || isEmptyWindow(event.window)) continue;
    const key = watermarkKey(event.event_name);
    const current = await control.get<Watermark>(key);
    if (current && current.value.through >= event.window.to) continue;
    const watermark: Watermark = { through: event.window.to, at: now.toISOString(), run_id: input.run_id };
    await control.put(key, watermark, current?.version ?? 0);
    committed.push({ event_name: event.event_name, through: event.window.to });
  }
  return committed;
}
