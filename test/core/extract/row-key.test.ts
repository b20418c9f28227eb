import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowKey } from '../../../lib/core/extract/row-key.ts';

test('row keys: source id first, values joined by |, and keys that differ never give the same text', () => {
  assert.equal(rowKey('north', [101]), 'north|101');
  assert.equal(rowKey('north', ['annex', 'H010']), 'north|annex|H010');
  assert.equal(rowKey('south', [null]), 'south|\\N');
  assert.notEqual(rowKey('a', ['b|c']), rowKey('a', ['b', 'c']));
  assert.notEqual(rowKey('a', ['b\\', 'c']), rowKey('a', ['b\\|c']));
  assert.notEqual(rowKey('a', ['\\N']), rowKey('a', [null]));
  assert.equal(rowKey('a', ['x|y\\z']), 'a|x\\|y\\\\z');
});
