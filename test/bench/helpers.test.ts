import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { athenaBilledBytes, athenaCost, lambdaCost, lambdaGbSeconds, stepFunctionsCost } from '../../bench/lib/cost.ts';
import { formatSummary, median, summarize } from '../../bench/lib/stats.ts';

const MB = 1024 ** 2;
const TB = 1024 ** 4;

describe('benchmark statistics', () => {
  test('median of an odd and an even count, in any order', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  test('median of nothing is an error, not NaN', () => {
    assert.throws(() => median([]), RangeError);
  });

  test('summary: min, max and the range relative to the median', () => {
    const summary = summarize([10, 12, 8]);
    assert.deepEqual(summary, { n: 3, median: 10, min: 8, max: 12, relativeSpread: 0.4 });
  });

  test('one sample has no spread and prints without one', () => {
    const summary = summarize([2.5]);
    assert.equal(summary.relativeSpread, 0);
    assert.equal(formatSummary(summary, 's'), '2.5 s');
  });

  test('printed with min–max and half the range as ±%', () => {
    assert.equal(formatSummary(summarize([10, 12, 8]), 's'), '10 s (8–12, ±20%)');
  });
});

describe('AWS cost arithmetic', () => {
  test('Athena bills at least 10 MB per query and rounds up to the next MB', () => {
    assert.equal(athenaBilledBytes(0), 10 * MB);
    assert.equal(athenaBilledBytes(3 * MB), 10 * MB);
    assert.equal(athenaBilledBytes(10 * MB + 1), 11 * MB);
    assert.equal(athenaBilledBytes(25 * MB), 25 * MB);
  });

  test('Athena: $5 per TB over the billed bytes of every query', () => {
    // 1 TB in one query, plus two tiny queries at 10 MB each.
    const expected = 5 + (2 * 10 * MB * 5) / TB;
    assert.equal(athenaCost([TB, 1, 1]), expected);
    // 31 queries under the minimum: 310 MB billed.
    assert.ok(Math.abs(athenaCost(Array(31).fill(0)) - 0.001478195190429687) < 1e-15);
  });

  test('Step Functions: $0.025 per 1,000 transitions', () => {
    assert.equal(stepFunctionsCost(1000), 0.025);
    assert.equal(stepFunctionsCost(86), 0.00215);
  });

  test('Lambda: memory in GB × duration rounded up to the ms, plus requests', () => {
    const invocations = [
      { memoryMb: 512, durationMs: 1000, architecture: 'arm64' as const },
      { memoryMb: 1024, durationMs: 499.2, architecture: 'arm64' as const },
    ];
    // 0.5 GB × 1 s + 1 GB × 0.5 s = 1 GB-s
    assert.equal(lambdaGbSeconds(invocations), 1);
    assert.ok(Math.abs(lambdaCost(invocations) - (0.0000133334 + (2 * 0.2) / 1_000_000)) < 1e-15);
    const x86 = [{ memoryMb: 2048, durationMs: 250, architecture: 'x86_64' as const }];
    assert.ok(Math.abs(lambdaCost(x86) - (0.5 * 0.0000166667 + 0.2 / 1_000_000)) < 1e-15);
  });
});
