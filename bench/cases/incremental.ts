import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckedProject } from '../../lib/check/check.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environment } from '../../lib/core/model/project.ts';
import { addDays } from '../../lib/core/window.ts';
import { openLocal } from '../../lib/local/context.ts';
import { derived, fact, failures, formatNumber, metric, rss, seconds, show, table } from '../lib/report.ts';
import { BENCH_SEED, BENCH_START_DATE, writeTxmaScale } from '../lib/txma-data.ts';
import type { BenchCase, Step, StepResult } from '../lib/types.ts';
import { copyProject, resetDataDir } from '../lib/workspace.ts';
import {
  clockAfter,
  DAYS,
  FULL_SCALES,
  prepareTxma,
  QUICK_SCALES,
  type TxmaParams,
  timedTwinRun,
  txmaPaths,
} from './end-to-end.ts';

/**
 * After a full load of the scale's 30 days, one new delivery day arrives (1/30 of the scale's events) and an
 * incremental run picks it up. Measured: what that run read (bytes and partitions, from the run report) against
 * the new day's size and the history's size, and its wall time. Each repetition starts from a copy of the state
 * after the full load.
 */

function snapshotDir(params: TxmaParams): string {
  return join(txmaPaths(params).dataDir, '..', 'after-full-load');
}

/** The events a run processes: the enabled events of the enabled families. */
function enabledEvents(project: string): string[] {
  const loaded = loadCheckedProject(project);
  const families = loaded.families.filter((f) => f.enabled).map((f) => f.product_family);
  return families.flatMap((f) =>
    (loaded.familyEvents.get(f)?.events ?? []).filter((e) => e.enabled).map((e) => e.event_name),
  );
}

function names(project: string) {
  return resourceNames(environment(loadCheckedProject(project), 'dev'));
}

/** The day index (from the start date) of the new day: after the history's last day and its late deliveries. */
const newDayIndex = (days: number) => days + 1;

/** Bytes and files in every event's partition of one delivery day. */
function partitionSize(
  rawDir: string,
  day: string,
  events: readonly string[],
): { bytes: number; files: number; partitions: number } {
  const [year, month, dayOfMonth] = day.split('-');
  let bytes = 0;
  let files = 0;
  let partitions = 0;
  const txma = join(rawDir, 'txma');
  for (const event of existsSync(txma) ? readdirSync(txma).filter((e) => events.includes(e)) : []) {
    const dir = join(txma, event, `year=${year}`, `month=${month}`, `day=${dayOfMonth}`);
    if (!existsSync(dir)) continue;
    partitions++;
    for (const name of readdirSync(dir)) {
      files++;
      bytes += statSync(join(dir, name)).size;
    }
  }
  return { bytes, files, partitions };
}

/** Time inside the Athena (DuckDB) tasks, summed, whatever the definition calls them. */
function engineMs(r: StepResult) {
  return derived(r, (m) =>
    Object.entries(m.metrics)
      .filter(([key]) => /^task_ms:(RunTransform|ClearIncoming|LoadIncoming|MergeIntoStage)$/.test(key))
      .reduce((sum, [, ms]) => sum + ms, 0),
  );
}

export const incremental: BenchCase = {
  name: 'incremental',
  title: 'Incremental run after a full load',
  plan({ quick }): Step[] {
    const scales = quick ? QUICK_SCALES : FULL_SCALES;
    return scales.map((events) => ({
      label: `${events >= 1_000_000 ? `${events / 1_000_000}M` : `${events / 1000}k`} events of history`,
      params: { events, days: DAYS },
      repetitions: quick ? 1 : 2,
      prepare: true,
    }));
  },
  async prepare(raw) {
    const params = raw as unknown as TxmaParams;
    const paths = txmaPaths(params);
    copyProject(paths.project, { reporting: false });
    // The end-to-end case's data for the same scale is reused when it is there.
    const facts = existsSync(join(paths.dataDir, names(paths.project).buckets.raw)) ? {} : await prepareTxma(params);
    const raw_bucket = names(paths.project).buckets.raw;
    resetDataDir(paths.dataDir, [raw_bucket]);
    // The full load: every day of history (through the late deliveries of the last day).
    const full = await timedTwinRun(paths.dataDir, paths.project, clockAfter(params.days, 1));
    const snapshot = snapshotDir(params);
    rmSync(snapshot, { recursive: true, force: true });
    mkdirSync(snapshot, { recursive: true });
    for (const entry of readdirSync(paths.dataDir)) {
      if (entry !== raw_bucket) cpSync(join(paths.dataDir, entry), join(snapshot, entry), { recursive: true });
    }
    // The new day, as Firehose delivers it after the full load.
    const context = await openLocal({ root: paths.project, env: 'dev', dataDir: paths.dataDir });
    try {
      await writeTxmaScale(
        context.store,
        raw_bucket,
        { events: Math.ceil(params.events / params.days), days: 1, startDate: BENCH_START_DATE, seed: BENCH_SEED },
        newDayIndex(params.days),
      );
    } finally {
      await context.close();
    }
    return {
      ...facts,
      full_load_run_ms: Math.round(full.metrics.run_ms ?? 0),
      full_load_bytes_scanned: full.metrics.bytes_scanned ?? 0,
      full_load_partitions: full.metrics.raw_partitions ?? 0,
    };
  },
  async measure(raw) {
    const params = raw as unknown as TxmaParams;
    const paths = txmaPaths(params);
    const rawBucket = names(paths.project).buckets.raw;
    resetDataDir(paths.dataDir, [rawBucket]);
    const snapshot = snapshotDir(params);
    for (const entry of readdirSync(snapshot))
      cpSync(join(snapshot, entry), join(paths.dataDir, entry), { recursive: true });
    const newDay = addDays(BENCH_START_DATE, newDayIndex(params.days));
    const newData = partitionSize(join(paths.dataDir, rawBucket), newDay, enabledEvents(paths.project));
    const run = await timedTwinRun(paths.dataDir, paths.project, clockAfter(newDayIndex(params.days), 1));
    return {
      metrics: run.metrics,
      facts: {
        new_day: newDay,
        new_day_bytes: newData.bytes,
        new_day_files: newData.files,
        new_day_partitions: newData.partitions,
      },
    };
  },
  render(results) {
    const mb = (bytes: unknown) => `${formatNumber(Number(bytes) / 1024 ** 2)} MB`;
    const rows = results.map((r) => {
      const scanned = metric(r, 'bytes_scanned')?.median ?? Number.NaN;
      const newBytes = Number(fact(r, 'new_day_bytes'));
      const historyBytes = Number(fact(r, 'full_load_bytes_scanned'));
      return [
        r.step.label,
        `${mb(historyBytes)}, ${fact(r, 'full_load_partitions')} partitions; run ${seconds({ n: 1, median: Number(fact(r, 'full_load_run_ms')), min: 0, max: 0, relativeSpread: 0 })}`,
        `${mb(newBytes)}, ${fact(r, 'new_day_partitions')} partitions`,
        `${mb(scanned)}, ${formatNumber(metric(r, 'raw_partitions')?.median ?? Number.NaN)} partitions`,
        `${(scanned / newBytes).toFixed(2)}`,
        `${((100 * scanned) / historyBytes).toFixed(1)}%`,
        seconds(metric(r, 'run_ms')),
        seconds(engineMs(r)),
        seconds(metric(r, 'wall_ms')),
        show(rss(r), 'MB'),
        show(derived(r, (m) => m.metrics.rows_written)),
      ];
    });
    return (
      [
        "After the full load of 30 days, one new delivery day (1/30 of the scale) lands and the next scheduled run picks it up. Read = the raw bytes and partitions of the run's windows as the run report records them (Athena's DataScannedInBytes in AWS; locally the size of the raw files in the window). Target: read ÷ new data = 1 at every scale, independent of the history.",
        '',
        table(
          [
            'history',
            'full load (raw read, run)',
            'new data',
            'incremental run read',
            'read ÷ new data',
            'read ÷ history',
            'run',
            'of which DuckDB (summed)',
            'whole command',
            'peak RSS',
            'rows written',
          ],
          rows,
        ),
      ].join('\n') + failures(results)
    );
  },
};
