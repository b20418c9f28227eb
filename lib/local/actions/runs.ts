import { enabledFamilies } from '../../core/model/plan.ts';
import { RAW_TO_STAGE_LEASE } from '../../core/run-guard.ts';
import { eventStatuses, leaseLine, newestFirst, runRow } from '../../core/run-history.ts';
import { lateFileLine } from '../../core/run-report.ts';
import { FileControlStore } from '../../engines/local/file-control-store.ts';
import { resolveLocal } from '../context.ts';
import { localRunReports, watermarksOf } from '../run-history.ts';
import { formatTable } from '../table-format.ts';

export interface HistoryOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly json?: boolean;
}

/** `dap runs [-n N]`: the newest runs on the twin, newest first. Reads reports only: it opens no engine. */
export async function runs(root: string, options: HistoryOptions & { readonly limit: string }): Promise<number> {
  const context = resolveLocal({ root, ...options, project: 'read' });
  const limit = Number(options.limit);
  const rows = newestFirst(await localRunReports(context.store, context.names), limit).map(runRow);
  if (options.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    return 0;
  }
  if (rows.length === 0) {
    console.log(`no runs yet in ${context.dataDir} (dap run starts one)`);
    return 0;
  }
  const columns = ['run_id', 'trigger', 'started_at', 'status', 'families', 'events', 'rows_written', 'bytes_scanned'];
  console.log(formatTable([...columns, 'duration_s'], rows as unknown as Record<string, string | number>[]));
  console.log(
    `(${context.names.opsDatabase}.run_reports holds every run: dap query "select * from ${context.names.opsDatabase}.run_reports")`,
  );
  return 0;
}

/** `dap status`: per enabled event its watermark, its last run and the late files it found; then the run lease. */
export async function status(root: string, options: HistoryOptions): Promise<number> {
  const context = resolveLocal({ root, ...options, project: 'read' });
  const control = new FileControlStore(context.dataDir, { table: context.names.controlTable });
  const events = enabledFamilies(context.project).flatMap((f) =>
    f.events.map((event) => ({ family: f.productFamily, event })),
  );
  const rows = eventStatuses(
    events,
    await watermarksOf(
      control,
      events.map((e) => e.event),
    ),
    await localRunReports(context.store, context.names),
  );
  const lease = await control.getLease(RAW_TO_STAGE_LEASE);
  if (options.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    console.log(JSON.stringify({ lease: lease ?? null }));
    return 0;
  }
  const columns = ['family', 'event', 'watermark', 'last_run', 'last_rows', 'late_files'];
  console.log(formatTable(columns, rows as unknown as Record<string, string | number | null>[]));
  for (const row of rows.filter((r) => r.late_files > 0)) {
    console.log(lateFileLine(row.family, row.event, row.late_files, row.late_days));
  }
  console.log(leaseLine(lease, new Date()));
  return 0;
}
