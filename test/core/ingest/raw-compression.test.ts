import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { BUCKETS, type Harness, harness, ingestProjectFiles, rawRows } from './harness.ts';

const harnesses: Harness[] = [];
after(() => {
  for (const h of harnesses) h.cleanup();
});

function peopleCsv(h: Harness, rows: number): string {
  const path = join(h.dataDir, `people-${rows}.csv`);
  const lines = ['ID,Name,Email,Born,Score'];
  for (let i = 1; i <= rows; i++) lines.push(`P${i},Person ${i},person${i}@example.com,01/01/1990,${i % 100}.5`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The ingest project with the people table's raw file saying how dap writes it. */
function withCompression(compression: 'gzip' | 'none'): Record<string, string> {
  const files = ingestProjectFiles();
  const key = 'athena-scripts/raw_tables/files_corpus.json';
  const raw = JSON.parse(files[key] as string) as Record<string, unknown>;
  return { ...files, [key]: `${JSON.stringify({ ...raw, compression }, null, 2)}\n` };
}

describe('raw output compression', () => {
  test('by default the raw parts are gzip NDJSON (.json.gz), every row in them', async () => {
    // Prepare
    const h = harness();
    harnesses.push(h);
    const key = h.drop(peopleCsv(h, 3000), 'people');

    // Act
    const summary = await h.ingest(key, { partBytes: 64 * 1024 });

    // Assess: several parts, each a gzip stream (magic bytes 1f 8b) of NDJSON lines
    assert.equal(summary.outcome, 'loaded');
    const parts = (await h.keys('raw')).filter((k) => k.startsWith('files/people/'));
    assert.ok(parts.length > 1, `expected several parts, got ${parts.length}`);
    for (const part of parts) {
      assert.match(part, /-\d{5}\.json\.gz$/);
      const bytes = readFileSync(h.folders.pathOf(BUCKETS.raw, part));
      assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], `${part} is not gzip`);
      const text = gunzipSync(bytes).toString('utf8');
      assert.ok(text.endsWith('\n') && text.split('\n').length > 1);
    }
    const rows = await rawRows(h, 'people');
    assert.equal(rows.length, 3000);
    assert.deepEqual(
      summary.locations.raw,
      parts.map((k) => `${BUCKETS.raw}/${k}`),
    );
  });

  test('`compression: "none"` writes plain NDJSON (.json), row for row the same as gzip', async () => {
    // Prepare
    const gzip = harness(withCompression('gzip'));
    const plain = harness(withCompression('none'));
    harnesses.push(gzip, plain);

    // Act
    await gzip.ingest(gzip.drop(peopleCsv(gzip, 500), 'people'));
    await plain.ingest(plain.drop(peopleCsv(plain, 500), 'people'));

    // Assess
    const plainParts = (await plain.keys('raw')).filter((k) => k.startsWith('files/people/'));
    assert.ok(plainParts.length > 0 && plainParts.every((k) => /-\d{5}\.json$/.test(k)), plainParts.join(', '));
    const bytes = readFileSync(plain.folders.pathOf(BUCKETS.raw, plainParts[0] as string));
    assert.equal(bytes.toString('utf8', 0, 1), '{');
    const strip = (rows: Record<string, unknown>[]) =>
      rows.map(({ ingest_run_id: _r, ingested_at: _a, source_key: _k, ...rest }) => rest);
    assert.deepEqual(strip(await rawRows(plain, 'people')), strip(await rawRows(gzip, 'people')));
  });
});
