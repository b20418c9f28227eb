import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resourceNames } from '../../lib/core/model/names.ts';
import {
  buildRunReport,
  type EventOutcome,
  type FamilyOutcome,
  type ReportingOutcome,
  type RunReport,
  runReportKey,
} from '../../lib/core/run-report.ts';

/**
 * Two run reports of the shipped project, as the twin writes them: an older run where everything passed, and the
 * newest, PARTIAL, where auth_account_creation's `unique_event_id` check failed on 3 rows and auth_create_account
 * found 2 late files. The catalog must show the newest result of each check.
 */
export function fixtureReports(): RunReport[] {
  const passed = report('run-older', '2026-01-01T03:00:00.000Z', 'PASSED', 0);
  const failed = report('run-newest', '2026-01-02T03:00:00.000Z', 'FAILED', 3);
  return [passed, failed];
}

/** Writes the reports where the twin keeps them: `<dataDir>/<process-results bucket>/run_reports/...`. */
export function writeFixtureReports(dataDir: string, env = { name: 'dev' }): void {
  const bucket = resourceNames(env).buckets.processResults;
  for (const r of fixtureReports()) {
    const path = join(dataDir, bucket, runReportKey(r));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(r));
  }
}

function report(runId: string, startedAt: string, unique: 'PASSED' | 'FAILED', failing: number): RunReport {
  const failed = unique === 'FAILED';
  const families: FamilyOutcome[] = [
    {
      product_family: 'auth_account_creation',
      status: failed ? 'FAILED' : 'SUCCEEDED',
      events: [event(runId, 'auth_create_account', failed ? 2 : 0)],
      checks: [
        {
          name: 'unique_event_id',
          type: 'unique',
          severity: 'error',
          status: unique,
          failing_count: failing,
          sample_keys: failing > 0 ? ['e-1', 'e-2', 'e-3'] : [],
        },
        {
          name: 'not_null_event_id_event_at_event_date_processed_date_event_name',
          type: 'not_null',
          severity: 'error',
          status: 'PASSED',
          failing_count: 0,
          sample_keys: [],
        },
      ],
      committed: [],
    },
    {
      product_family: 'ipv_identity_journey',
      status: 'SUCCEEDED',
      events: [event(runId, 'ipv_journey_start', 0)],
      checks: [],
      committed: [{ event_name: 'ipv_journey_start', through: startedAt.slice(0, 10) }],
    },
  ];
  const reporting: ReportingOutcome[] = [
    failed
      ? { product_family: 'user_journey', status: 'SKIPPED', reason: 'auth_account_creation failed in this run' }
      : {
          product_family: 'user_journey',
          status: 'SUCCEEDED',
          procedure: 'conformed.sp_user_journey',
          duration_ms: 300,
        },
  ];
  const statistics = new Map([
    [`${runId}-auth_create_account`, { rowsWritten: 1000 }],
    [`${runId}-ipv_journey_start`, { rowsWritten: 500 }],
  ]);
  return buildRunReport({
    run: { run_id: runId, started_at: startedAt, trigger: 'schedule' },
    environment: 'dev',
    families,
    reporting,
    statistics,
    endedAt: new Date(Date.parse(startedAt) + 150_000),
  });
}

function event(runId: string, name: string, lateFiles: number): EventOutcome {
  return {
    event_name: name,
    status: 'SUCCEEDED',
    window: { from: '2025-12-31', to: '2026-01-01' },
    raw_partitions: 2,
    raw_files: 2,
    raw_bytes: 1024000,
    late_files: lateFiles,
    late_file_sample: lateFiles > 0 ? ['txma/auth_create_account/year=2025/month=12/day=30/late.json'] : [],
    late_days: lateFiles > 0 ? ['2025-12-30'] : [],
    queries: { merge: { query_execution_id: `${runId}-${name}`, bytes_scanned: 1024000 } },
  };
}
