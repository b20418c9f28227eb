import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DigestSet } from '../../../lib/core/ingest/digest-set.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

test('each digest is new once and a repeat after, through every growth of the table', () => {
  // Prepare: a table that must double several times
  const set = new DigestSet(16);
  const rows = Array.from({ length: 50_000 }, (_, i) => digest(`row ${i}`));

  // Act
  const first = rows.map((d) => set.add(d));
  const again = rows.map((d) => set.add(d));

  // Assess
  assert.ok(first.every((added) => added));
  assert.ok(again.every((added) => !added));
  assert.equal(set.size, 50_000);
});

test('digests that differ only past their first 12 bytes count as one; the all-zero digest is a member like any', () => {
  const set = new DigestSet();
  const a = Buffer.alloc(32, 7);
  const b = Buffer.from(a);
  b[20] = 8;
  const zero = Buffer.alloc(16);

  assert.deepEqual([set.add(a), set.add(b), set.add(zero), set.add(zero)], [true, false, true, false]);
  assert.equal(set.size, 2);
  assert.throws(() => set.add(Buffer.alloc(8)), /at least 12 bytes/);
});

test('the tables stay 60-85% full as they grow: between 12 and 20 bytes a member, at every size', () => {
  // Prepare
  const set = new DigestSet();
  const perMember: number[] = [];

  // Act: measure after each 20,000 members up to 400,000
  for (let i = 0; i < 400_000; i++) {
    set.add(digest(`member ${i}`));
    if ((i + 1) % 20_000 === 0) perMember.push(set.storageBytes / set.size);
  }

  // Assess: a table that doubled would fall to 42% full (28 bytes a member) after each growth
  assert.equal(perMember.length, 20);
  for (const bytes of perMember.slice(2)) assert.ok(bytes >= 12 && bytes <= 20, `${bytes.toFixed(1)} bytes a member`);
});
