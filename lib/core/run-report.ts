import { z } from 'zod';
import type { QueryStatistics } from '../engines/ports.ts';

/**
 * The run report: one JSON document per run in the process-results bucket (and locally in the data folder), one
 * line so Athena's JSON SerDe and DuckDB's read_json can query every run's report as a table.
 */

export type RunStatus = 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

/** What a caught Step Functions error looks like (`Catch` with `ResultPath`). */
export const caughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });
export type CaughtError = z.infer<typeof caughtErrorSchema>;

export const eventOutcomeSchema = z.object({
  event_name: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  query_execution_id: z.string().optional(),
  /** Null where the engine cannot tell. */
  bytes_scanned: z.number().nullish(),
  engine_ms: z.number().nullish(),
  error: caughtErrorSchema.optional(),
});
export type EventOutcome = z.infer<typeof eventOutcomeSchema>;

export const familyOutcomeSchema = z.object({
  product_family: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  events: z.array(eventOutcomeSchema).default([]),
  error: caughtErrorSchema.optional(),
});
export type FamilyOutcome = z.infer<typeof familyOutcomeSchema>;

export const reportingOutcomeSchema = z.object({
  product_family: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  procedure: z.string().optional(),
  statement_id: z.string().optional(),
  duration_ms: z.number().optional(),
  error: caughtErrorSchema.optional(),
});
export type ReportingOutcome = z.infer<typeof reportingOutcomeSchema>;

export const runInfoSchema = z.object({
  run_id: z.string().min(1),
  started_at: z.string(),
  trigger: z.string().default('manual'),
});

export interface EventReport {
  readonly event_name: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly query_id: string | null;
  readonly rows_written: number | null;
  readonly bytes_scanned: number | null;
  readonly duration_ms: number | null;
  readonly error: string | null;
}

export interface RunReport {
  readonly report_version: 1;
  readonly run_id: string;
  readonly environment: string;
  readonly trigger: string;
  readonly started_at: string;
  readonly ended_at: string;
  readonly status: RunStatus;
  readonly totals: {
    readonly families: number;
    readonly families_failed: number;
    readonly events: number;
    readonly events_failed: number;
    readonly rows_written: number;
    readonly bytes_scanned: number;
  };
  readonly families: readonly {
    readonly product_family: string;
    readonly status: 'SUCCEEDED' | 'FAILED';
    readonly error: string | null;
    readonly events: readonly EventReport[];
  }[];
  readonly reporting: readonly {
    readonly product_family: string;
    readonly status: 'SUCCEEDED' | 'FAILED';
    readonly procedure: string | null;
    readonly statement_id: string | null;
    readonly duration_ms: number | null;
    readonly error: string | null;
  }[];
}

/**
 * The readable message inside a caught error. Lambda puts `{"errorType","errorMessage"}` in Cause; Athena's .sync
 * integration puts the QueryExecution, whose Status carries the engine's reason.
 */
export function errorMessage(error: CaughtError | undefined): string | null {
  if (!error) return null;
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as Record<string, unknown>;
    if (typeof parsed.errorMessage === 'string') return `${error.Error}: ${parsed.errorMessage}`;
    const execution = parsed.QueryExecution as {
      Status?: { StateChangeReason?: string; AthenaError?: { ErrorMessage?: string } };
    };
    const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason;
    if (reason) return `${error.Error}: ${reason}`;
  } catch (parseError) {
    if (!(parseError instanceof SyntaxError)) throw parseError;
  }
  return cause ? `${error.Error}: ${cause}` : error.Error;
}

export function runStatus(outcomes: readonly { status: 'SUCCEEDED' | 'FAILED' }[]): RunStatus {
  const failed = outcomes.filter((o) => o.status === 'FAILED').length;
  if (failed === 0) return 'SUCCEEDED';
  return failed === outcomes.length ? 'FAILED' : 'PARTIAL';
}

export function buildRunReport(input: {
  readonly run: z.infer<typeof runInfoSchema>;
  readonly environment: string;
  readonly families: readonly FamilyOutcome[];
  readonly reporting: readonly ReportingOutcome[];
  readonly statistics: ReadonlyMap<string, QueryStatistics>;
  readonly endedAt: Date;
}): RunReport {
  const families = input.families.map((family) => ({
    product_family: family.product_family,
    status: family.status,
    error: errorMessage(family.error),
    events: family.events.map((event): EventReport => {
      const stats = event.query_execution_id ? input.statistics.get(event.query_execution_id) : undefined;
      return {
        event_name: event.event_name,
        status: event.status,
        query_id: event.query_execution_id ?? null,
        rows_written: stats?.rowsWritten ?? null,
        bytes_scanned: event.bytes_scanned ?? stats?.bytesScanned ?? null,
        duration_ms: event.engine_ms ?? stats?.durationMs ?? null,
        error: errorMessage(event.error),
      };
    }),
  }));
  const events = families.flatMap((f) => f.events);
  const reporting = input.reporting.map((r) => ({
    product_family: r.product_family,
    status: r.status,
    procedure: r.procedure ?? null,
    statement_id: r.statement_id ?? null,
    duration_ms: r.duration_ms ?? null,
    error: errorMessage(r.error),
  }));
  return {
    report_version: 1,
    run_id: input.run.run_id,
    environment: input.environment,
    trigger: input.run.trigger,
    started_at: input.run.started_at,
    ended_at: input.endedAt.toISOString(),
    status: runStatus([...families, ...reporting]),
    totals: {
      families: families.length,
      families_failed: families.filter((f) => f.status === 'FAILED').length,
      events: events.length,
      events_failed: events.filter((e) => e.status === 'FAILED').length,
      rows_written: events.reduce((sum, e) => sum + (e.rows_written ?? 0), 0),
      bytes_scanned: events.reduce((sum, e) => sum + (e.bytes_scanned ?? 0), 0),
    },
    families,
    reporting,
  };
}

/** Partitioned by run date so Athena can prune; the run id makes the key unique and a re-write idempotent. */
export function runReportKey(report: Pick<RunReport, 'run_id' | 'started_at'>): string {
  return `run_reports/run_date=${report.started_at.slice(0, 10)}/${report.run_id}.json`;
}

/** One line saying what happened, for the notification and the terminal. */
export function runSummaryMessage(report: RunReport): string {
  const failed = [
    ...report.families
      .filter((f) => f.status === 'FAILED')
      .map((f) => {
        const events = f.events.filter((e) => e.status === 'FAILED').map((e) => `${e.event_name} (${e.error})`);
        return `${f.product_family}: ${events.length > 0 ? events.join('; ') : (f.error ?? 'failed')}`;
      }),
    ...report.reporting.filter((r) => r.status === 'FAILED').map((r) => `${r.product_family}: ${r.error ?? 'failed'}`),
  ];
  const head = `dap ${report.environment} run ${report.run_id} ${report.status}: ${report.totals.families - report.totals.families_failed}/${report.totals.families} families, ${report.totals.rows_written} rows written`;
  return failed.length > 0 ? `${head}. Failed: ${failed.join(' | ')}` : head;
}
