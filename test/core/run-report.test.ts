import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildRunReport,
  deferredDayLines,
  type FamilyOutcome,
  runSummaryMessage,
  SUMMARY_MESSAGE_MAX_CHARS,
} from '../../lib/core/run-report.ts';

function report(families: FamilyOutcome[]) {
  return buildRunReport({
    run: { run_id: 'r1', started_at: '2026-12-02T09:59:00Z', trigger: 'manual' },
    environment: 'dev',
    families,
    reporting: [],
    statistics: new Map(),
    endedAt: new Date('2026-12-02T10:00:00Z'),
  });
}

const failedFamily = (family: string, cause: string): FamilyOutcome => ({
  product_family: family,
  status: 'FAILED',
  events: [{ event_name: `${family}_a`, status: 'FAILED', error: { Error: 'States.TaskFailed', Cause: cause } }],
  checks: [],
  committed: [],
});

/** The summary is the notification's text and the failed execution's Cause, and is carried in the state. */
describe('the run summary message', () => {
  test('says which families failed and why', () => {
    // Act
    const message = runSummaryMessage(
      report([failedFamily('auth', 'no such column'), { ...failedFamily('ipv', ''), status: 'SUCCEEDED', events: [] }]),
    );

    // Assess
    assert.equal(
      message,
      'dap dev run r1 PARTIAL: 1/2 families, 0 rows written. Failed: auth: auth_a (States.TaskFailed: no such column)',
    );
  });

  test('is bounded however many families fail with however long errors; the rest is counted', () => {
    // Prepare
    const families = Array.from({ length: 50 }, (_, i) => failedFamily(`family_${i}`, 'x'.repeat(32_768)));

    // Act
    const message = runSummaryMessage(report(families));

    // Assess
    assert.ok(message.length <= SUMMARY_MESSAGE_MAX_CHARS, `${message.length} characters`);
    assert.ok(
      message.startsWith('dap dev run r1 FAILED: 0/50 families, 0 rows written. Failed: family_0: family_0_a ('),
    );
    assert.match(message, /\(States\.TaskFailed: x{481}…\)/, 'each error is quoted up to 500 characters');
    assert.match(message, /\. And \d+ more failures in the run report$/);
  });
});

describe('an event whose window was cut at 100 delivery days', () => {
  test('the report keeps how many days are left, and the run says the next runs read them', () => {
    const built = report([
      {
        product_family: 'sales',
        status: 'SUCCEEDED',
        events: [
          {
            event_name: 'order_placed',
            status: 'SUCCEEDED',
            window: { from: '0000-00-00', to: '2025-04-10' },
            raw_partitions: 100,
            deferred_days: 150,
          },
          { event_name: 'order_paid', status: 'SUCCEEDED', window: { from: '0000-00-00', to: '2025-04-10' } },
        ],
        checks: [],
        committed: [],
      },
    ]);

    assert.deepEqual(
      built.families[0]?.events.map((e) => e.deferred_days),
      [150, 0],
    );
    assert.deepEqual(deferredDayLines(built), [
      'order_placed read the first 100 delivery days of its history (through 2025-04-10); 150 more are left for the next runs',
    ]);
  });
});
