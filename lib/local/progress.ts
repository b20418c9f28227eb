import type { EventOutcome, RunProgress } from './run.ts';
import { formatTable } from './table-format.ts';

export type RunStatus = 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

/** SUCCEEDED when everything ran, FAILED when nothing did, PARTIAL in between. */
export function runStatus(outcomes: readonly EventOutcome[]): RunStatus {
  const failed = outcomes.filter((o) => o.status === 'FAILED').length;
  if (failed === 0) return 'SUCCEEDED';
  return failed === outcomes.length ? 'FAILED' : 'PARTIAL';
}

export const EXIT_CODES: Readonly<Record<RunStatus, number>> = { SUCCEEDED: 0, PARTIAL: 2, FAILED: 1 };

export function progressPrinter(write: (line: string) => void = (line) => console.log(line)): RunProgress {
  return {
    eventStarted: (family, event) => write(`  … ${family} / ${event}`),
    eventEnded: (o) =>
      write(
        o.status === 'SUCCEEDED'
          ? `  ✓ ${o.productFamily} / ${o.eventName}: ${o.rowsWritten} rows in ${o.durationMs} ms`
          : `  ✗ ${o.productFamily} / ${o.eventName}: ${o.error ?? 'failed'}`,
      ),
  };
}

/** Prints the summary table and returns the exit code for the run's status. */
export function printRunSummary(
  outcomes: readonly EventOutcome[],
  write: (text: string) => void = console.log,
): number {
  const rows = outcomes.map((o) => ({
    family: o.productFamily,
    event: o.eventName,
    status: o.status,
    rows_written: o.rowsWritten,
    duration_ms: o.durationMs,
  }));
  write('');
  write(formatTable(['family', 'event', 'status', 'rows_written', 'duration_ms'], rows));
  const status = runStatus(outcomes);
  const total = outcomes.reduce((sum, o) => sum + o.rowsWritten, 0);
  write(`\nrun ${status}: ${outcomes.length} event(s), ${total} row(s) written`);
  for (const o of outcomes.filter((x) => x.status === 'FAILED'))
    write(`  ${o.productFamily} / ${o.eventName}: ${o.error}`);
  return EXIT_CODES[status];
}
