import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileSourceSchema } from '../../lib/core/model/file-source-schema.ts';

/** A file source's `key_pattern` is a glob; one written as a regular expression would silently match nothing. */

function problemsOf(keyPattern: string): string[] {
  const parsed = fileSourceSchema.safeParse({
    source: 'shop_orders',
    key_pattern: keyPattern,
    format: { type: 'csv' },
    dataset: 'shop_orders',
    mappings: [{ version: 'v1', header: ['Order ID'], columns: { order_id: { from: 'Order ID' } } }],
  });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const EXPECTED = 'expected a glob such as customers_*.csv, where * matches within a name and ? one character';

describe('file source key patterns', () => {
  for (const accepted of [
    '*',
    'customers_*.csv',
    'sales_????-??-??.csv',
    '*.xlsx',
    '**/*.csv',
    'report.*',
    '*.*',
    'orders-2026_*.CSV',
  ]) {
    test(`accepts ${accepted}`, () => {
      assert.deepEqual(problemsOf(accepted), []);
    });
  }

  for (const [refused, signs] of [
    ['^customers_.*\\.csv$', '^, .*, \\., $'],
    ['customers_\\d{8}.csv', '\\d, {8}'],
    ['customers_[0-9]*.csv', '[0-9]'],
    ['(customers|clients)_*.csv', '(, |, )'],
    ['customers_.+.csv', '+'],
    ['customers_.*.csv', '.*'],
  ] as const) {
    test(`refuses ${refused}`, () => {
      assert.deepEqual(problemsOf(refused), [
        `key_pattern: "${refused}" looks like a regular expression (${signs}): ${EXPECTED}`,
      ]);
    });
  }
});
