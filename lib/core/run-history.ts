import type { RawTableDef } from './model/project.ts';
import type { Lease } from './ports.ts';
import { RAW_TO_STAGE_LEASE } from './run-guard.ts';
import type { RunReport } from './run-report.ts';
import type { Watermark } from './window.ts';

/**
 * Run history: every run's report as a table (`<prefix>_ops.run_reports`, over the reports in the process-results
 * bucket, partitioned by `run_date`: a Glue table with partition projection in AWS, a DuckDB view on the twin), and
 * the summaries `dap runs` and `dap status` print. One declaration serves the catalog, the twin and the commands.
 */
export const RUN_REPORTS_TABLE: RawTableDef = {
  file: 'run reports (lib/core/run-history.ts)',
  source: 'dap',
  table: 'run_reports',
  format: 'json',
  compression: 'none',
  location: 'run_reports',
  columns: [
    { name: 'report_version', type: 'int' },
    { name: 'run_id', type: 'string' },
    { name: 'environment', type: 'string' },
    { name: 'trigger', type: 'string' },
    { name: 'started_at', type: 'string' },
    { name: 'ended_at', type: 'string' },
    { name: 'status', type: 'string' },
    {
      name: 'totals',
      type: 'struct<families:int,families_failed:int,events:int,events_failed:int,rows_written:bigint,bytes_scanned:bigint,raw_partitions:int,late_files:int>',
    },
    {
      name: 'families',
      type: 'array<struct<product_family:string,status:string,error:string,events:array<struct<event_name:string,status:string,skipped:boolean,rows_written:bigint,bytes_scanned:bigint,duration_ms:bigint,late_files:int,late_file_sample:array<string>,error:string>>>>',
    },
    {
      name: 'reporting',
      type: 'array<struct<product_family:string,status:string,procedure:string,duration_ms:bigint,error:string>>',
    },
  ],
  partition_columns: [{ name: 'run_date', type: 'string' }],
};

/** One line of `dap runs`. */
export interface RunRow {
  readonly run_id: string;
  readonly trigger: string;
  readonly started_at: string;
  readonly status: string;
  /** Families that succeeded of those the run covered: `4/5`. */
  readonly families: string;
  readonly events: string;
  readonly rows_written: number;
  readonly bytes_scanned: number;
  readonly duration_s: number;
}

export function runRow(report: RunReport): RunRow {
  const { totals } = report;
  return {
    run_id: report.run_id,
    trigger: report.trigger,
    started_at: report.started_at,
    status: report.status,
    families: `${totals.families - totals.families_failed}/${totals.families}`,
    events: `${totals.events - totals.events_failed}/${totals.events}`,
    rows_written: totals.rows_written,
    bytes_scanned: totals.bytes_scanned,
    duration_s: Math.round((Date.parse(report.ended_at) - Date.parse(report.started_at)) / 100) / 10,
  };
}

/** The newest `limit` reports first (by start, then run id). */
export function newestFirst(reports: readonly RunReport[], limit = Number.POSITIVE_INFINITY): RunReport[] {
  return [...reports]
    .sort((a, b) => b.started_at.localeCompare(a.started_at) || b.run_id.localeCompare(a.run_id))
    .slice(0, limit);
}

/** One line of `dap status`: where an enabled event stands. */
export interface EventStatusRow {
  readonly family: string;
  readonly event: string;
  /** The last delivery day in stage, or null when nothing was committed yet. */
  readonly watermark: string | null;
  /** The newest run that covered the event: `<status> <run id> at <start>`, or null. */
  readonly last_run: string | null;
  readonly last_rows: number | null;
  /** Files in committed days the newest run found and did not load (`dap backfill` loads them). */
  readonly late_files: number;
  readonly late_days: readonly string[];
}

export function eventStatuses(
  events: readonly { readonly family: string; readonly event: string }[],
  watermarks: ReadonlyMap<string, Watermark>,
  reports: readonly RunReport[],
): EventStatusRow[] {
  const newest = newestFirst(reports);
  return events.map(({ family, event }) => {
    const [latest] = newest.flatMap((report) =>
      report.families.flatMap((f) =>
        f.events.filter((e) => e.event_name === event).map((outcome) => ({ report, outcome })),
      ),
    );
    return {
      family,
      event,
      watermark: watermarks.get(event)?.through ?? null,
      last_run: latest ? `${latest.outcome.status} ${latest.report.run_id} at ${latest.report.started_at}` : null,
      last_rows: latest?.outcome.rows_written ?? null,
      late_files: latest?.outcome.late_files ?? 0,
      late_days: latest?.outcome.late_days ?? [],
    };
  });
}

/** The lease line of `dap status`. */
export function leaseLine(lease: Lease | undefined, now: Date): string {
  if (lease === undefined || Date.parse(lease.expiresAt) <= now.getTime()) return `lease ${RAW_TO_STAGE_LEASE}: free`;
  return `lease ${lease.name}: held by run ${lease.holder} since ${lease.acquiredAt} (expires ${lease.expiresAt})`;
}
