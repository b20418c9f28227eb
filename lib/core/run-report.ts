import { z } from 'zod';
import type { QueryStatistics } from './ports.ts';
import { type DayWindow, MAX_DAYS_PER_RUN } from './window.ts';

/**
 * The run report: one JSON document per run in the process-results bucket (and locally in the data folder), one
 * line so Athena's JSON SerDe and DuckDB's read_json can query every run's report as a table.
 */

export type RunStatus = 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

/**
 * What a caught Step Functions error looks like (`Catch` with `ResultPath`). A long Cause is carried in the state
 * only in part, with `cause_key`: where the whole error is kept (lib/core/run-outcomes.ts).
 */
export const caughtErrorSchema = z.object({
  Error: z.string(),
  Cause: z.string().optional(),
  cause_key: z.string().optional(),
});
export type CaughtError = z.infer<typeof caughtErrorSchema>;

export const dayWindowSchema = z.object({ from: z.string(), to: z.string(), settled: z.string().optional() });

const athenaQuerySchema = z.object({
  query_execution_id: z.string(),
  /** Null where the engine cannot tell. */
  bytes_scanned: z.number().nullish(),
  engine_ms: z.number().nullish(),
});

export const eventOutcomeSchema = z.object({
  event_name: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  /** True when the window held no raw file, so no query ran. */
  skipped: z.boolean().optional(),
  window: dayWindowSchema.optional(),
  raw_partitions: z.number().optional(),
  raw_files: z.number().optional(),
  raw_bytes: z.number().optional(),
  late_files: z.number().optional(),
  late_file_sample: z.array(z.string()).optional(),
  late_days: z.array(z.string()).optional(),
  deferred_days: z.number().optional(),
  /** The event's Athena statements (clear incoming, load incoming, merge into stage), as the state machine saw them. */
  queries: z
    .object({
      clear: athenaQuerySchema.optional(),
      load: athenaQuerySchema.optional(),
      merge: athenaQuerySchema.optional(),
    })
    .optional(),
  error: caughtErrorSchema.optional(),
});
export type EventOutcome = z.infer<typeof eventOutcomeSchema>;

export const checkOutcomeSchema = z.object({
  name: z.string(),
  type: z.string(),
  severity: z.enum(['error', 'warn']),
  status: z.enum(['PASSED', 'FAILED', 'WARNED', 'ERROR']),
  failing_count: z.number().nullable(),
  sample_keys: z.array(z.string()).default([]),
  query_id: z.string().nullish(),
  error: z.string().nullish(),
});
export type CheckOutcome = z.infer<typeof checkOutcomeSchema>;

export const familyOutcomeSchema = z.object({
  product_family: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  events: z.array(eventOutcomeSchema).default([]),
  checks: z.array(checkOutcomeSchema).default([]),
  /** Watermarks this run committed: each event's last delivery day now in stage. */
  committed: z.array(z.object({ event_name: z.string(), through: z.string() })).default([]),
  error: caughtErrorSchema.optional(),
});
export type FamilyOutcome = z.infer<typeof familyOutcomeSchema>;

export const reportingOutcomeSchema = z.object({
  product_family: z.string(),
  /** SKIPPED: not called, because a family it depends on failed in this run (`reason` says which). */
  status: z.enum(['SUCCEEDED', 'FAILED', 'SKIPPED']),
  reason: z.string().optional(),
  procedure: z.string().optional(),
  statement_id: z.string().optional(),
  duration_ms: z.number().optional(),
  error: caughtErrorSchema.optional(),
});
export type ReportingOutcome = z.infer<typeof reportingOutcomeSchema>;

/** An enabled event the run left out for its config problems (the plan's `blocked`). */
export const blockedEventSchema = z.object({ product_family: z.string(), event_name: z.string(), problem: z.string() });
/** An enabled reporting family not called for its config problems (the plan's `reporting_blocked`). */
export const blockedReportingSchema = z.object({ product_family: z.string(), problem: z.string() });

/**
 * The outcomes with the parts the run left out for their config problems: each event FAILED in its family (the
 * family FAILED with it, added when none of its events ran), each reporting family FAILED, the problem as the error.
 */
export function withConfigProblems(
  outcomes: { readonly families: readonly FamilyOutcome[]; readonly reporting: readonly ReportingOutcome[] },
  blocked: {
    readonly events: readonly z.infer<typeof blockedEventSchema>[];
    readonly reporting: readonly z.infer<typeof blockedReportingSchema>[];
  },
): { families: FamilyOutcome[]; reporting: ReportingOutcome[] } {
  const families = outcomes.families.map((f) => ({ ...f, events: [...f.events] }));
  for (const event of blocked.events) {
    let family = families.find((f) => f.product_family === event.product_family);
    if (!family) {
      family = { product_family: event.product_family, status: 'FAILED', events: [], checks: [], committed: [] };
      families.push(family);
    }
    family.status = 'FAILED';
    family.events.push({
      event_name: event.event_name,
      status: 'FAILED',
      error: { Error: 'ConfigProblem', Cause: event.problem },
    });
  }
  const reporting: ReportingOutcome[] = [
    ...outcomes.reporting,
    ...blocked.reporting.map((r) => ({
      product_family: r.product_family,
      status: 'FAILED' as const,
      error: { Error: 'ConfigProblem', Cause: r.problem },
    })),
  ];
  return { families, reporting };
}

export const runInfoSchema = z.object({
  run_id: z.string().min(1),
  started_at: z.string(),
  trigger: z.string().default('manual'),
});

export interface EventReport {
  readonly event_name: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** True when the window held no new raw file and no query ran. */
  readonly skipped: boolean;
  /** The delivery days processed, `(from, to]`. */
  readonly window: DayWindow | null;
  readonly raw_partitions: number | null;
  readonly raw_files: number | null;
  readonly raw_bytes: number | null;
  /** Files that arrived in already-committed days (outside lateness): not loaded by this run; backfill them. */
  readonly late_files: number;
  readonly late_file_sample: readonly string[];
  /** The delivery days of the late files, sorted. */
  readonly late_days: readonly string[];
  /** Delivery days with data past the window (a window holds at most `MAX_DAYS_PER_RUN`): the next runs read them. */
  readonly deferred_days: number;
  /** The MERGE into stage (its statistics give rows_written). */
  readonly query_id: string | null;
  /** Every Athena query the event ran, with what each scanned (Athena bills each, with a 10 MB minimum). */
  readonly queries: readonly {
    readonly step: 'clear' | 'load' | 'merge';
    readonly query_id: string;
    readonly bytes_scanned: number | null;
  }[];
  readonly rows_written: number | null;
  /** Athena's DataScannedInBytes summed over the event's queries; locally, the size of the raw files in the window. */
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
    readonly raw_partitions: number;
    readonly late_files: number;
  };
  readonly families: readonly {
    readonly product_family: string;
    readonly status: 'SUCCEEDED' | 'FAILED';
    readonly error: string | null;
    readonly events: readonly EventReport[];
    readonly checks: readonly CheckOutcome[];
    readonly committed: readonly { readonly event_name: string; readonly through: string }[];
  }[];
  readonly reporting: readonly {
    readonly product_family: string;
    readonly status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
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

/** A skipped reporting family counts as not done: its model was not built in this run. */
export function runStatus(outcomes: readonly { status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED' }[]): RunStatus {
  const failed = outcomes.filter((o) => o.status !== 'SUCCEEDED').length;
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
    checks: family.checks,
    committed: family.committed,
    events: family.events.map((event): EventReport => {
      const merge = event.queries?.merge;
      const stats = merge ? input.statistics.get(merge.query_execution_id) : undefined;
      const steps = (['clear', 'load', 'merge'] as const).flatMap((step) => {
        const query = event.queries?.[step];
        return query ? [{ step, query }] : [];
      });
      const queries = steps.map(({ step, query }) => ({
        step,
        query_id: query.query_execution_id,
        bytes_scanned: query.bytes_scanned ?? null,
      }));
      const scanned = queries.map((q) => q.bytes_scanned).filter((b): b is number => b !== null);
      const engineMs = steps.map(({ query }) => query.engine_ms).filter((ms): ms is number => typeof ms === 'number');
      return {
        event_name: event.event_name,
        status: event.status,
        skipped: event.skipped ?? false,
        window: event.window ?? null,
        raw_partitions: event.raw_partitions ?? null,
        raw_files: event.raw_files ?? null,
        raw_bytes: event.raw_bytes ?? null,
        late_files: event.late_files ?? 0,
        late_file_sample: event.late_file_sample ?? [],
        late_days: event.late_days ?? [],
        deferred_days: event.deferred_days ?? 0,
        query_id: merge?.query_execution_id ?? null,
        queries,
        rows_written: event.skipped ? 0 : (stats?.rowsWritten ?? null),
        bytes_scanned: event.skipped
          ? 0
          : scanned.length > 0
            ? scanned.reduce((sum, b) => sum + b, 0)
            : (stats?.bytesScanned ?? event.raw_bytes ?? null),
        duration_ms: engineMs.length > 0 ? engineMs.reduce((sum, ms) => sum + ms, 0) : (stats?.durationMs ?? null),
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
    error: r.status === 'SKIPPED' ? (r.reason ?? 'not called') : errorMessage(r.error),
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
      raw_partitions: events.reduce((sum, e) => sum + (e.skipped ? 0 : (e.raw_partitions ?? 0)), 0),
      late_files: events.reduce((sum, e) => sum + e.late_files, 0),
    },
    families,
    reporting,
  };
}

/** Partitioned by run date so Athena can prune; the run id makes the key unique and a re-write idempotent. */
export function runReportKey(report: Pick<RunReport, 'run_id' | 'started_at'>): string {
  return `run_reports/run_date=${report.started_at.slice(0, 10)}/${report.run_id}.json`;
}

/**
 * The most a summary message holds: the notification's text and the Cause of the execution's Fail state (which
 * Step Functions caps at 32,768 characters) come from it, and it is carried in the state. The report has the rest.
 */
export const SUMMARY_MESSAGE_MAX_CHARS = 4_000;
/** The most of one error, and of one family's failures, the summary quotes. */
const SUMMARY_ERROR_MAX_CHARS = 500;
const SUMMARY_FAMILY_MAX_CHARS = 1_500;

/** One line saying what happened, for the notification and the terminal; what does not fit is counted. */
export function runSummaryMessage(report: RunReport): string {
  const clip = (text: string | null | undefined) => (text == null ? text : clipped(text, SUMMARY_ERROR_MAX_CHARS));
  const failed = [
    ...report.families
      .filter((f) => f.status === 'FAILED')
      .map((f) => {
        const events = f.events.filter((e) => e.status === 'FAILED').map((e) => `${e.event_name} (${clip(e.error)})`);
        const checks = f.checks
          .filter((c) => c.severity === 'error' && c.status !== 'PASSED')
          .map((c) => `check ${c.name} ${c.status} (${c.failing_count ?? clip(c.error)} failing)`);
        const reasons = [...events, ...checks];
        const why = reasons.length > 0 ? reasons.join('; ') : (clip(f.error) ?? 'failed');
        return `${f.product_family}: ${clipped(why, SUMMARY_FAMILY_MAX_CHARS)}`;
      }),
    ...report.reporting
      .filter((r) => r.status === 'FAILED')
      .map((r) => `${r.product_family}: ${clip(r.error) ?? 'failed'}`),
  ];
  const head = `dap ${report.environment} run ${report.run_id} ${report.status}: ${report.totals.families - report.totals.families_failed}/${report.totals.families} families, ${report.totals.rows_written} rows written`;
  const late = lateFileLines(report).map((line) => `. ${line}`);
  const failures = failed.map((reason, i) => `${i === 0 ? '. Failed: ' : ' | '}${reason}`);
  const whole = head + late.join('') + failures.join('');
  if (whole.length <= SUMMARY_MESSAGE_MAX_CHARS) return whole;
  // Too long: failures first, then late files, as many of each as fit; the others are counted.
  const room = SUMMARY_MESSAGE_MAX_CHARS - 100;
  let message = head;
  const fit = (parts: readonly string[]) => {
    let written = 0;
    for (const part of parts) {
      if (message.length + part.length > room) break;
      message += part;
      written += 1;
    }
    return parts.length - written;
  };
  const failuresLeft = fit(failures);
  const lateLeft = fit(late);
  const left = [
    ...(failuresLeft > 0 ? [`${failuresLeft} more failures`] : []),
    ...(lateLeft > 0 ? [`${lateLeft} more late-file lines`] : []),
  ];
  return `${message}. And ${left.join(', ')} in the run report`;
}

/** The text cut to `max` characters, marked with `…` when cut. */
export function clipped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * One line per event with files that arrived in days it had already committed (no incremental run will read them),
 * with the backfill that loads them: `3 late file(s) for e on 2024-01-14, 2024-01-15: load them with dap backfill
 * --family f --event e --from 2024-01-14 --to 2024-01-15`.
 */
export function lateFileLines(report: Pick<RunReport, 'families'>): string[] {
  return report.families.flatMap((family) =>
    family.events
      .filter((event) => event.late_files > 0)
      .map((event) => lateFileLine(family.product_family, event.event_name, event.late_files, event.late_days)),
  );
}

/** One line per event whose window was cut at `MAX_DAYS_PER_RUN` delivery days: the next runs read the rest. */
export function deferredDayLines(report: Pick<RunReport, 'families'>): string[] {
  return report.families.flatMap((family) =>
    family.events
      .filter((event) => event.deferred_days > 0)
      .map(
        (event) =>
          `${event.event_name} read the first ${MAX_DAYS_PER_RUN} delivery days of its history (through ${event.window?.to ?? '?'}); ${event.deferred_days} more are left for the next runs`,
      ),
  );
}

export function lateFileLine(family: string, event: string, count: number, days: readonly string[]): string {
  const on = days.length > 0 ? ` on ${days.join(', ')}` : ' in committed days';
  const range = days.length > 0 ? `--from ${days[0]} --to ${days[days.length - 1]}` : '--from <day> --to <day>';
  return `${count} late file(s) for ${event}${on}: load them with dap backfill --family ${family} --event ${event} ${range}`;
}
