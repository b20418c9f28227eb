import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeHandler } from '../../lambdas/write-report/handler.ts';
import { type RunReport, SUMMARY_MESSAGE_MAX_CHARS } from '../../lib/core/run-report.ts';
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

test('the report reads back what the run kept: each family outcome by its key, each long error whole', async () => {
  // Prepare: one family kept in the bucket with a bounded event error, one carried whole (its keeping failed),
  // one whose kept outcome is gone, and a reporting family whose bounded error points to the whole one
  const dir = mkdtempSync(join(tmpdir(), 'dap-write-report-'));
  try {
    const store = new FolderObjectStore(dir);
    const put = (key: string, value: unknown) => store.put('results', key, JSON.stringify(value));
    const long = (what: string) => ({ Error: 'States.TaskFailed', Cause: `${what}: ${'x'.repeat(32_000)}` });
    const bounded = (what: string, key: string) => ({
      Error: 'States.TaskFailed',
      Cause: `${what}: x…`,
      cause_key: key,
    });
    await put('run_outcomes/r2/errors/events/auth/auth_a.json', long('auth_a'));
    await put('run_outcomes/r2/errors/procedures/scv.json', long('scv'));
    await put('run_outcomes/r2/families/auth.json', {
      product_family: 'auth',
      status: 'FAILED',
      events: [
        {
          event_name: 'auth_a',
          status: 'FAILED',
          error: bounded('auth_a', 'run_outcomes/r2/errors/events/auth/auth_a.json'),
        },
        { event_name: 'auth_b', status: 'SUCCEEDED', skipped: true },
      ],
      checks: [],
      committed: [],
    });
    const handler = makeHandler({
      environment: 'dev',
      store,
      processResultsBucket: 'results',
      engine: { queryStatistics: async () => undefined },
      now: () => new Date('2026-12-02T10:00:00Z'),
    });

    // Act
    const result = await handler({
      run: { run_id: 'r2', started_at: '2026-12-02T09:59:00Z', trigger: 'manual' },
      families: [
        { product_family: 'auth', status: 'FAILED', outcome_key: 'run_outcomes/r2/families/auth.json' },
        { product_family: 'ipv', status: 'SUCCEEDED', events: [{ event_name: 'ipv_a', status: 'SUCCEEDED' }] },
        { product_family: 'gone', status: 'SUCCEEDED', outcome_key: 'run_outcomes/r2/families/gone.json' },
      ],
      reporting: [
        {
          product_family: 'scv',
          status: 'FAILED',
          error: bounded('scv', 'run_outcomes/r2/errors/procedures/scv.json'),
        },
      ],
    });

    // Assess
    const report = JSON.parse(new TextDecoder().decode(await store.get('results', result.report_key))) as RunReport;
    assert.deepEqual(
      report.families.map((f) => [f.product_family, f.status, f.error, f.events.map((e) => [e.event_name, e.status])]),
      [
        [
          'auth',
          'FAILED',
          null,
          [
            ['auth_a', 'FAILED'],
            ['auth_b', 'SUCCEEDED'],
          ],
        ],
        ['ipv', 'SUCCEEDED', null, [['ipv_a', 'SUCCEEDED']]],
        ['gone', 'FAILED', "dap.OutcomeMissing: the family's outcome is not at run_outcomes/r2/families/gone.json", []],
      ],
    );
    const auth = report.families[0]?.events[0];
    assert.equal(auth?.error, `States.TaskFailed: ${long('auth_a').Cause}`);
    assert.equal(report.reporting[0]?.error, `States.TaskFailed: ${long('scv').Cause}`);
    assert.ok(result.message.length <= SUMMARY_MESSAGE_MAX_CHARS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
