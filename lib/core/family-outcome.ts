import { z } from 'zod';
import type { ResourceNames } from './model/names.ts';
import type { Project } from './model/project.ts';
import type { ControlStore, QueryEngine } from './ports.ts';
import { replaySchema } from './prepare-event.ts';
import type { QualityWindow } from './quality/check-sql.ts';
import { runQualityChecks } from './quality/run-checks.ts';
import { type CheckOutcome, eventOutcomeSchema, type FamilyOutcome } from './run-report.ts';
import { BEGINNING, committableDay, isEmptyWindow, type Watermark, watermarkKey } from './window.ts';

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
    const through = committableDay(event.window);
    if (through <= event.window.from) continue;
    const key = watermarkKey(event.event_name);
    const current = await control.get<Watermark>(key);
    if (current && current.value.through >= through) continue;
    const watermark: Watermark = { through, at: now.toISOString(), run_id: input.run_id };
    await control.put(key, watermark, current?.version ?? 0);
    committed.push({ event_name: event.event_name, through });
  }
  return committed;
}

/**
 * The rows a family's checks judge: those its events wrote this run, i.e. the stage rows of the non-skipped events
 * whose delivery day (`processed_date`) is in the union of their windows.
 */
export function familyCheckWindow(input: FamilyStepInput): QualityWindow | undefined {
  const ran = input.events.filter((e) => e.status === 'SUCCEEDED' && !e.skipped && e.window);
  if (ran.length === 0) return undefined;
  const froms = ran.map((e) => e.window?.from ?? BEGINNING).sort();
  const tos = ran.map((e) => e.window?.to ?? BEGINNING).sort();
  const from = froms[0] ?? BEGINNING;
  return {
    column: 'processed_date',
    // A window from the beginning still needs a real date to compare with.
    from: from === BEGINNING ? EARLIEST_DAY : from,
    to: tos[tos.length - 1] ?? BEGINNING,
    events: ran.map((e) => e.event_name),
  };
}

const EARLIEST_DAY = '0001-01-01';

/** Runs the family's declared checks over what its events wrote; nothing to judge when every window was empty. */
export async function runFamilyChecks(
  engine: QueryEngine,
  project: Project,
  names: ResourceNames,
  input: FamilyStepInput,
): Promise<CheckOutcome[]> {
  const window = familyCheckWindow(input);
  if (!window) return [];
  const results = await runQualityChecks(engine, project, names, input.product_family, window);
  return results.map((r) => ({
    name: r.name,
    type: r.type,
    severity: r.severity,
    status: r.status,
    failing_count: r.failing_count,
    sample_keys: [...r.sample_keys],
    query_id: r.query_id,
    ...(r.error ? { error: r.error } : {}),
  }));
}
