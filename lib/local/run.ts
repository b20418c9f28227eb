import { enabledFamilies } from '../config/plan.ts';
import { runTransform } from '../core/transform.ts';
import type { LocalContext } from './context.ts';

export interface EventOutcome {
  readonly productFamily: string;
  readonly eventName: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly rowsWritten: number;
  readonly durationMs: number;
  readonly error?: string;
}

export interface RunProgress {
  eventStarted?(productFamily: string, eventName: string): void;
  eventEnded?(outcome: EventOutcome): void;
}

/** Runs every enabled event of every enabled family on the local engine; a failing event does not stop the rest. */
export async function runLocal(
  context: LocalContext,
  options: { readonly families?: readonly string[]; readonly progress?: RunProgress } = {},
): Promise<EventOutcome[]> {
  await context.engine.syncCatalog();
  const outcomes: EventOutcome[] = [];
  for (const family of enabledFamilies(context.project, options.families)) {
    for (const eventName of family.events) {
      options.progress?.eventStarted?.(family.productFamily, eventName);
      const started = performance.now();
      let outcome: EventOutcome;
      try {
        const result = await runTransform(context.engine, context.project, context.names, eventName);
        outcome = {
          productFamily: family.productFamily,
          eventName,
          status: 'SUCCEEDED',
          rowsWritten: result.rowsWritten,
          durationMs: result.durationMs,
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        outcome = {
          productFamily: family.productFamily,
          eventName,
          status: 'FAILED',
          rowsWritten: 0,
          durationMs: Math.round(performance.now() - started),
          error: message,
        };
      }
      outcomes.push(outcome);
      options.progress?.eventEnded?.(outcome);
    }
  }
  return outcomes;
}
