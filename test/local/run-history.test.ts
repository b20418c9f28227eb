import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventStatuses, newestFirst, runRow } from '../../lib/core/run-history.ts';
import type { RunReport } from '../../lib/core/run-report.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { REPO_ROOT, type TwinFixture, twinFixture } from '../helpers/twin-fixture.ts';

/** A report as the write-report step writes one, with only what the history reads filled in. */
function report(runId: string, startedAt: string, lateDays: readonly string[] = []): RunReport {
  return {
    report_version: 1,
    run_id: runId,
    environment: 'dev',
    trigger: 'schedule',
    started_at: startedAt,
    ended_at: new Date(Date.parse(startedAt) + 12_340).toISOString(),
    status: 'PARTIAL',
    totals: {
      families: 2,
      families_failed: 1,
      events: 3,
      events_failed: 1,
      rows_written: 40,
      bytes_scanned: 1000,
      raw_partitions: 2,
      late_files: lateDays.length,
    },
    families: [
      {
        product_family: 'sales',
        status: 'SUCCEEDED',
        error: null,
        checks: [],
        committed: [],
        events: [
          {
            event_name: 'order_placed',
            status: 'SUCCEEDED',
            skipped: false,
            window: { from: '2024-01-14', to: '2024-01-15' },
            raw_partitions: 1,
            raw_files: 1,
            raw_bytes: 10,
            late_files: lateDays.length,
            late_file_sample: [],
            late_days: lateDays,
            deferred_days: 0,
            query_id: 'q',
            queries: [],
            rows_written: 40,
            bytes_scanned: 1000,
            duration_ms: 5,
            error: null,
          },
        ],
      },
    ],
    reporting: [],
  };
}

describe('run history', () => {
  test('a run line counts families and events that succeeded of those covered, and its duration', () => {
    // Act
    const row = runRow(report('r1', '2024-01-16T03:00:00.000Z'));

    // Assess
    assert.deepEqual(row, {
      run_id: 'r1',
      trigger: 'schedule',
      started_at: '2024-01-16T03:00:00.000Z',
      status: 'PARTIAL',
      families: '1/2',
      events: '2/3',
      rows_written: 40,
      bytes_scanned: 1000,
      duration_s: 12.3,
    });
  });

  test("an event's status is its watermark and the newest run that covered it, with that run's late days", () => {
    // Arrange
    const older = report('old', '2024-01-15T03:00:00.000Z', ['2024-01-10']);
    const newer = report('new', '2024-01-16T03:00:00.000Z', ['2024-01-13', '2024-01-14']);

    // Act
    const [placed, paid] = eventStatuses(
      [
        { family: 'sales', event: 'order_placed' },
        { family: 'sales', event: 'order_paid' },
      ],
      new Map([['order_placed', { through: '2024-01-15', at: '2024-01-16T03:00:10.000Z', run_id: 'new' }]]),
      [older, newer],
    );

    // Assess
    assert.deepEqual(placed, {
      family: 'sales',
      event: 'order_placed',
      watermark: '2024-01-15',
      last_run: 'SUCCEEDED new at 2024-01-16T03:00:00.000Z',
      last_rows: 40,
      late_files: 2,
      late_days: ['2024-01-13', '2024-01-14'],
    });
    assert.deepEqual(paid, {
      family: 'sales',
      event: 'order_paid',
      watermark: null,
      last_run: null,
      last_rows: null,
      late_files: 0,
      late_days: [],
    });
    assert.deepEqual(
      newestFirst([older, newer], 1).map((r) => r.run_id),
      ['new'],
    );
  });

  describe('on the twin, after two runs', () => {
    let fixture: TwinFixture;
    const runIds: string[] = [];
    before(async () => {
      fixture = await twinFixture();
      for (const now of ['2024-01-20T06:00:00Z', '2024-01-21T06:00:00Z']) {
        const twin = await LocalTwin.open(fixture.context);
        const result = await twin.run({ now: () => new Date(now) });
        runIds.push(result.runId);
      }
      await fixture.context.close();
    });
    // The context was closed so that the commands can open the engine: only the folders are left to remove.
    after(() => rmSync(fixture.root, { recursive: true, force: true }));
    const dap = (args: readonly string[]) =>
      spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'bin/dap.js'), '--root', fixture.root, ...args, '--data-dir', fixture.dataDir],
        { encoding: 'utf8' },
      );

    test('dap runs lists both, newest first', () => {
      // Act
      const result = dap(['runs', '--json']);

      // Assess
      assert.equal(result.status, 0, result.stderr);
      const rows = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { run_id: string; status: string; families: string });
      assert.deepEqual(
        rows.map((row) => row.run_id),
        [...runIds].reverse(),
      );
      assert.ok(
        rows.every((row) => row.status === 'SUCCEEDED' && row.families === '5/5'),
        result.stdout,
      );
    });

    test('the reports are a table: dap query reads dev_dap_ops.run_reports, partitioned by run_date', () => {
      // Act
      const result = dap([
        'query',
        '--json',
        'select run_id, run_date, status, cardinality(families) as families from dev_dap_ops.run_reports order by started_at',
      ]);

      // Assess
      assert.equal(result.status, 0, result.stderr);
      const rows = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { run_id: string; run_date: string; status: string; families: number });
      assert.deepEqual(
        rows.map((row) => row.run_id),
        runIds,
      );
      assert.ok(
        rows.every((row) => /^\d{4}-\d{2}-\d{2}$/.test(row.run_date) && Number(row.families) === 5),
        result.stdout,
      );
    });

    test('dap status gives each enabled event its watermark and last run, and says the lease is free', () => {
      // Act
      const result = dap(['status']);

      // Assess
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /auth_create_account +\| 2024-01-20 +\| SUCCEEDED /);
      assert.ok(result.stdout.includes(runIds[1] as string), result.stdout);
      assert.match(result.stdout, /lease raw-to-stage: free/);
    });
  });
});
