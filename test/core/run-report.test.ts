import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildRunReport,
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
