import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeHandler } from '../../lambdas/write-report/handler.ts';
import type { RunReport } from '../../lib/core/run-report.ts';
import { FolderObjectStore } from '../../lib/engines/local/folder-object-store.ts';

test('events and reporting families the plan left out for config problems are reported FAILED with them', async () => {
  // Prepare
  const dir = mkdtempSync(join(tmpdir(), 'dap-write-report-'));
  try {
    const store = new FolderObjectStore(dir);
    const handler = makeHandler({
      environment: 'dev',
      store,
      processResultsBucket: 'results',
      engine: { queryStatistics: async () => undefined },
      now: () => new Date('2026-12-02T10:00:00Z'),
    });
    const ran = { event_name: 'ipv_identity_issued', status: 'SUCCEEDED', skipped: true };

    // Act
    const result = await handler({
      run: { run_id: 'r1', started_at: '2026-12-02T09:59:00Z', trigger: 'manual' },
      families: [{ product_family: 'ipv_identity_journey', status: 'SUCCEEDED', events: [ran] }],
      reporting: [{ product_family: 'single_customer_view', status: 'SUCCEEDED' }],
      blocked: [
        { product_family: 'ipv_identity_journey', event_name: 'ipv_journey_start', problem: 'a.sql: expected x' },
        { product_family: 'orch_spot', event_name: 'orch_spot_request_sent', problem: 'b.json: expected y' },
      ],
      reporting_blocked: [{ product_family: 'user_journey', problem: 'sp_user_journey.sql: expected z' }],
    });

    // Assess
    assert.equal(result.status, 'PARTIAL');
    const report = JSON.parse(new TextDecoder().decode(await store.get('results', result.report_key))) as RunReport;
    assert.deepEqual(
      report.families.map((f) => [f.product_family, f.status, f.events.map((e) => [e.event_name, e.status, e.error])]),
      [
        [
          'ipv_identity_journey',
          'FAILED',
          [
            ['ipv_identity_issued', 'SUCCEEDED', null],
            ['ipv_journey_start', 'FAILED', 'ConfigProblem: a.sql: expected x'],
          ],
        ],
        ['orch_spot', 'FAILED', [['orch_spot_request_sent', 'FAILED', 'ConfigProblem: b.json: expected y']]],
      ],
    );
    assert.deepEqual(
      report.reporting.map((r) => [r.product_family, r.status, r.error]),
      [
        ['single_customer_view', 'SUCCEEDED', null],
        ['user_journey', 'FAILED', 'ConfigProblem: sp_user_journey.sql: expected z'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
