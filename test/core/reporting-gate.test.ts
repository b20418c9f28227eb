import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedDependencies, skipReason } from '../../lib/core/reporting-gate.ts';

test('a reporting family waits for every family it depends on, and only those', () => {
  const families = [
    { product_family: 'a', status: 'SUCCEEDED' },
    { product_family: 'b', status: 'FAILED' },
    { product_family: 'c', status: 'FAILED' },
  ];
  assert.deepEqual(failedDependencies([], families), []);
  assert.deepEqual(failedDependencies(['a'], families), []);
  assert.deepEqual(failedDependencies(['c', 'a', 'b'], families), ['c', 'b']);
  assert.deepEqual(failedDependencies(['d'], families), [], 'a family not in this run (disabled) does not block');
  assert.equal(
    skipReason('conformed.sp_x', ['c', 'b']),
    'conformed.sp_x not called: families "c", "b" failed in this run, so stage may hold rows that did not pass their checks; the next run that passes builds it',
  );
});
