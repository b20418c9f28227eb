import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { harness, ingestProjectFiles, rawRows } from './harness.ts';

/** A row repeated within one file: a declared rule, `duplicate_rows`, decides; the default rejects with a reason. */
describe('duplicate rows within a file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dap-duplicates-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'people.csv');
  writeFileSync(
    file,
    [
      'ID,Name,Email,Born,Score',
      'p1,Ann,a@x.org,,1',
      'p2,Bo,b@x.org,,2',
      'p1,Ann,a@x.org,,1',
      'p3,Cy,c@x.org,,3',
      'p1,Ann,a@x.org,,1',
      'p2,Bo,b@x.org,,2.0',
    ].join('\n'),
  );
  const withRule = (rule: string | undefined, maxRejectRatio = 0.5) => {
    const files = ingestProjectFiles();
    const people = JSON.parse(files['config/sources/files/people.json'] ?? '{}');
    const source = { ...people, max_reject_ratio: maxRejectRatio, ...(rule ? { duplicate_rows: rule } : {}) };
    files['config/sources/files/people.json'] = JSON.stringify(source);
    const h = harness(files);
    after(() => h.cleanup());
    return h;
  };
  const ids = async (h: ReturnType<typeof harness>) => (await rawRows(h, 'people')).map((row) => row.person_id);

  test('by default (reject) each repeat is rejected with the reason; the first copies load', async () => {
    // Prepare
    const h = withRule(undefined);

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.equal(summary.outcome, 'partially_loaded');
    assert.deepEqual(summary.rows, { read: 6, loaded: 4, rejected: 2, invalid: 2, blank: 0, duplicate: 0 });
    assert.deepEqual(summary.rejected_reasons, {
      '(row): repeats an earlier row of the file cell for cell; the source rejects duplicate rows': 2,
    });
    assert.deepEqual(await ids(h), ['p1', 'p2', 'p3', 'p2']);
  });

  test('with the default max_reject_ratio 0, one repeated row quarantines the file, the reason named', async () => {
    // Prepare
    const h = withRule(undefined, 0);

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.equal(summary.outcome, 'quarantined');
    assert.deepEqual(await ids(h), []);
  });

  test('keep_first loads the first copy and counts the repeats it skipped', async () => {
    // Prepare
    const h = withRule('keep_first', 0);

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.equal(summary.outcome, 'loaded');
    assert.deepEqual(summary.rows, { read: 6, loaded: 4, rejected: 2, invalid: 0, blank: 0, duplicate: 2 });
    assert.equal(summary.reconciliation.balanced, true);
    assert.deepEqual(await ids(h), ['p1', 'p2', 'p3', 'p2']);
  });

  test('keep loads every copy', async () => {
    // Prepare
    const h = withRule('keep', 0);

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.equal(summary.outcome, 'loaded');
    assert.deepEqual(await ids(h), ['p1', 'p2', 'p1', 'p3', 'p1', 'p2']);
  });
});
