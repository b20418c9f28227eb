import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { IngestOutcome, IngestSummary, RowCounts } from '../../../lib/core/ingest/report.ts';
import { BUCKETS, CORPUS_DIR, type Harness, harness, rawRows } from './harness.ts';

/**
 * The bad-input corpus: every file in test/fixtures/files/corpus/ (made by scripts/generate-ingest-corpus.ts) with
 * the exact outcome, counts and reason text it must get, and the invariants every file must keep: rows in =
 * loaded + rejected, the original in exactly one place, a report beside it, one reject line per invalid row.
 */

interface Case {
  readonly file: string;
  /** @default 'people' */
  readonly source?: string;
  /** Object name in landing when it differs from the file name. */
  readonly name?: string;
  readonly outcome: IngestOutcome;
  readonly rows: RowCounts;
  readonly reason: string | null;
  readonly rejected?: Record<string, number>;
  /** Extra checks on what reached raw. */
  readonly raw?: (rows: Record<string, unknown>[]) => void;
}

const none = { read: 0, loaded: 0, rejected: 0, invalid: 0, blank: 0, duplicate: 0 };
const counts = (read: number, loaded: number, invalid: number, blank = 0): RowCounts => ({
  read,
  loaded,
  rejected: read - loaded,
  invalid,
  blank,
  duplicate: 0,
});
const names = (rows: Record<string, unknown>[]) => rows.map((r) => r.name);
const EMAIL_PATTERN = 'Email: … does not match the pattern ^[^@\\s]+@[^@\\s]+$';

const CASES: readonly Case[] = [
  {
    file: 'valid.csv',
    outcome: 'loaded',
    rows: counts(3, 3, 0),
    reason: null,
    raw: (rows) => {
      assert.deepEqual(rows[0], {
        source: 'people',
        source_key: 'landing/people/valid.csv',
        source_row: 2,
        file_hash: rows[0]?.file_hash,
        mapping_version: 'v1',
        ingest_run_id: 'run-1',
        ingested_at: '2026-11-16 10:00:00.000',
        row_hash: rows[0]?.row_hash,
        snapshot_date: null,
        person_id: 'P1',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        born: '1815-12-10',
        score: '98.50',
      });
    },
  },
  { file: 'empty-0-byte.csv', outcome: 'quarantined', rows: none, reason: 'the file is empty (0 bytes)' },
  {
    file: 'blank-lines-only.csv',
    outcome: 'quarantined',
    rows: none,
    reason: 'the file has no header row: it holds no data',
  },
  {
    file: 'header-only.csv',
    outcome: 'quarantined',
    rows: none,
    reason: 'the file has a header (row 1) but no data rows',
  },
  {
    file: 'unknown-header.csv',
    outcome: 'quarantined',
    rows: counts(1, 0, 0),
    reason:
      'row 1: header matches no mapping version (fingerprint 04663fff430fa386); closest is "v1": missing "ID", "Name", "Email", "Born", "Score"; unmatched "Product", "Price", "Stock"',
  },
  {
    file: 'missing-required-column.csv',
    outcome: 'quarantined',
    rows: counts(1, 0, 0),
    reason: 'row 1: header matches no mapping version (fingerprint b2faa172aad23b0a); closest is "v1": missing "Email"',
  },
  {
    file: 'duplicate-header.csv',
    outcome: 'quarantined',
    rows: counts(1, 0, 0),
    reason: 'row 1: header has column "email" twice (columns C and F)',
  },
  {
    file: 'wrong-types.csv',
    outcome: 'partially_loaded',
    rows: counts(3, 2, 1),
    reason: null,
    rejected: { 'Score: … is not a number (decimal separator ".")': 1 },
  },
  {
    file: 'bad-dates.csv',
    outcome: 'partially_loaded',
    rows: counts(4, 2, 2),
    reason: null,
    rejected: { 'Born: … is not a date in format DD/MM/YYYY': 2 },
    raw: (rows) => assert.deepEqual(names(rows), ['Grace Hopper', 'Edsger']),
  },
  {
    file: 'ragged-rows.csv',
    outcome: 'partially_loaded',
    rows: counts(4, 2, 2),
    reason: null,
    rejected: { '(row): row has 6 fields, the header has 5': 1, '(row): row has 3 fields, the header has 5': 1 },
  },
  {
    file: 'quoted-newlines.csv',
    outcome: 'loaded',
    rows: counts(2, 2, 0),
    reason: null,
    raw: (rows) => {
      assert.deepEqual(names(rows), ['Lovelace, Ada "Countess"', 'Alan Turing']);
      assert.deepEqual(
        rows.map((r) => r.source_row),
        [2, 3],
      );
    },
  },
  {
    file: 'bom-utf8.csv',
    outcome: 'loaded',
    rows: counts(1, 1, 0),
    reason: null,
    raw: (rows) => assert.deepEqual(names(rows), ['Zoë Ångström']),
  },
  {
    file: 'utf16le-bom.csv',
    outcome: 'loaded',
    rows: counts(1, 1, 0),
    reason: null,
    raw: (rows) => assert.deepEqual(names(rows), ['Zoë Ångström']),
  },
  {
    file: 'utf16le-no-bom.csv',
    outcome: 'loaded',
    rows: counts(1, 1, 0),
    reason: null,
    raw: (rows) => assert.deepEqual(names(rows), ['Chloë Ñúñez']),
  },
  {
    file: 'windows-1252.csv',
    outcome: 'loaded',
    rows: counts(1, 1, 0),
    reason: null,
    raw: (rows) => assert.deepEqual(names(rows), ['José Müller']),
  },
  {
    file: 'semicolon.csv',
    outcome: 'loaded',
    rows: counts(2, 2, 0),
    reason: null,
    raw: (rows) => assert.deepEqual(names(rows), ['Lovelace, Ada', 'Turing, Alan']),
  },
  {
    file: 'tab-crlf.csv',
    outcome: 'loaded',
    rows: counts(2, 2, 0),
    reason: null,
    raw: (rows) => assert.deepEqual(names(rows), ['Ada', 'Alan']),
  },
  { file: 'trailing-delimiter.csv', outcome: 'loaded', rows: counts(2, 2, 0), reason: null },
  {
    file: 'title-rows.csv',
    source: 'people_titled',
    outcome: 'loaded',
    rows: counts(3, 3, 0),
    reason: null,
    raw: (rows) =>
      assert.deepEqual(
        rows.map((r) => r.source_row),
        [4, 5, 6],
      ),
  },
  {
    file: 'unclosed-quote.csv',
    outcome: 'quarantined',
    rows: counts(1, 0, 0),
    reason: 'row 3: a quoted field is never closed (it runs to the end of the file)',
  },
  {
    file: 'huge-field.csv',
    outcome: 'quarantined',
    rows: counts(1, 0, 0),
    reason: 'row 3: record is longer than max_record_bytes (65536 characters): a runaway field or an unclosed quote',
  },
  { file: 'large-field-within-limit.csv', outcome: 'loaded', rows: counts(1, 1, 0), reason: null },
  {
    file: 'binary.csv',
    outcome: 'quarantined',
    rows: none,
    reason: 'the file holds binary data (a NUL byte at offset 8), not delimited text',
  },
  {
    file: 'too-many-rejects.csv',
    source: 'people_strict',
    outcome: 'quarantined',
    rows: counts(3, 0, 1),
    reason: '1 of 3 rows rejected (33.3%), more than max_reject_ratio allows (0%)',
    rejected: { [EMAIL_PATTERN]: 1 },
  },
  {
    file: 'all-rejected.csv',
    outcome: 'quarantined',
    rows: counts(2, 0, 2),
    reason: 'every data row was rejected (2 of 2)',
    rejected: { 'ID: required value is empty': 1, 'Email: required value is empty': 1, [EMAIL_PATTERN]: 1 },
  },
  {
    file: 'snapshot-duplicate-key.csv',
    source: 'people_snapshot',
    name: 'people_2026-11-09.csv',
    outcome: 'partially_loaded',
    rows: counts(3, 2, 1),
    reason: null,
    rejected: { '(row): … repeats the snapshot key (person_id) of row …': 1 },
    raw: (rows) =>
      assert.deepEqual(
        rows.map((r) => [r.person_id, r.snapshot_date]),
        [
          ['P1', '2026-11-09'],
          ['P2', '2026-11-09'],
        ],
      ),
  },
  {
    file: 'odd name (1) #2 é.csv',
    outcome: 'loaded',
    rows: counts(1, 1, 0),
    reason: null,
    raw: (rows) => assert.equal(rows[0]?.source_key, 'landing/people/odd name (1) #2 é.csv'),
  },
  {
    file: 'notes.txt',
    outcome: 'quarantined',
    rows: none,
    reason: 'object name "notes.txt" does not match the source\'s key_pattern "*.csv"',
  },
  {
    file: 'valid.csv',
    source: 'nobody',
    outcome: 'quarantined',
    rows: none,
    reason:
      'no file source "nobody": expected config/sources/files/nobody.json (known sources: people, people_snapshot, people_strict, people_titled, people_xlsx)',
  },
  {
    file: 'not-a-zip.xlsx',
    source: 'people_xlsx',
    outcome: 'quarantined',
    rows: none,
    reason: 'the file is not an XLSX workbook (no ZIP signature at the start)',
  },
  {
    file: 'valid.xlsx',
    source: 'people',
    name: 'workbook.csv',
    outcome: 'quarantined',
    rows: none,
    reason: 'the file is a ZIP archive (an XLSX workbook?), but the source expects CSV',
  },
  {
    file: 'corrupt.xlsx',
    source: 'people_xlsx',
    outcome: 'quarantined',
    rows: none,
    // Its ZIP directory is read first (the decompression-bomb check), so the truncation is found there.
    reason: 'not a readable XLSX workbook: no ZIP end-of-central-directory record (a damaged or truncated file)',
  },
  {
    file: 'no-data-sheet.xlsx',
    source: 'people_xlsx',
    outcome: 'quarantined',
    rows: none,
    reason: 'the workbook has no worksheet "People" (it has "Summary")',
  },
  {
    file: 'merged-header.xlsx',
    source: 'people_xlsx',
    outcome: 'quarantined',
    rows: counts(1, 0, 0),
    reason:
      'row 1: header matches no mapping version (fingerprint 1ea1b25d21e43a85); closest is "v1": missing "Name", "Email"; unmatched "Person"',
  },
  {
    file: 'valid.xlsx',
    source: 'people_xlsx',
    outcome: 'loaded',
    rows: counts(2, 2, 0),
    reason: null,
    raw: (rows) =>
      assert.deepEqual(
        rows.map((r) => [r.person_id, r.born, r.score]),
        [
          ['P1', '1815-12-10', '98.50'],
          ['P2', '1912-06-23', '99.00'],
        ],
      ),
  },
  {
    file: 'formulas.xlsx',
    source: 'people_xlsx',
    outcome: 'partially_loaded',
    rows: counts(4, 2, 2),
    reason: null,
    rejected: {
      'Score: the cell holds the Excel error #DIV/0!': 1,
      'Score: the cell holds a formula without a cached value (saved by a tool that does not calculate)': 1,
    },
    raw: (rows) =>
      assert.deepEqual(
        rows.map((r) => [r.person_id, r.score]),
        [
          ['P1', '98.50'],
          ['P4', '98.50'],
        ],
      ),
  },
  {
    file: 'excel-dates.xlsx',
    source: 'people_xlsx',
    outcome: 'loaded',
    rows: counts(3, 3, 0),
    reason: null,
    raw: (rows) =>
      assert.deepEqual(
        rows.map((r) => r.born),
        ['1990-02-01', '1990-02-01', '1990-02-01'],
      ),
  },
];

const harnesses: Harness[] = [];
after(() => {
  for (const h of harnesses) h.cleanup();
});

/** The invariants every file keeps, whatever its outcome. */
async function assertAccounted(h: Harness, summary: IngestSummary, bytes: Buffer): Promise<void> {
  const { rows, reconciliation } = summary;
  assert.equal(reconciliation.balanced, true, 'reconciliation balanced');
  assert.equal(reconciliation.rows_in, rows.read);
  assert.equal(rows.read, rows.loaded + rows.rejected, 'rows in = loaded + rejected');
  assert.equal(reconciliation.raw_lines_written, rows.loaded);
  assert.equal(reconciliation.reject_lines_written, rows.invalid);

  assert.deepEqual(await h.keys('landing'), [], 'nothing is left in landing');
  const original = summary.locations.original ?? '';
  const [bucket, ...rest] = original.split('/');
  const expectedBucket =
    summary.outcome === 'loaded' || summary.outcome === 'partially_loaded' ? 'archive' : 'quarantine';
  assert.equal(bucket, BUCKETS[expectedBucket]);
  assert.deepEqual(
    readFileSync(h.folders.pathOf(bucket ?? '', rest.join('/'))),
    bytes,
    'the original is kept, byte for byte',
  );
  const other = expectedBucket === 'archive' ? 'quarantine' : 'archive';
  const copies = (await h.keys(other)).filter((k) => !k.endsWith('.json') && !k.endsWith('.ndjson'));
  assert.deepEqual(copies, [], `no copy of the original in ${other}`);

  const [reportBucket, ...reportKey] = (summary.locations.report ?? '').split('/');
  assert.deepEqual(
    JSON.parse(readFileSync(h.folders.pathOf(reportBucket ?? '', reportKey.join('/')), 'utf8')),
    summary,
  );

  let rejectLines = 0;
  for (const location of summary.locations.rejects) {
    const key = location.slice(BUCKETS.quarantine.length + 1);
    for (const line of h.text('quarantine', key).split('\n')) {
      if (line === '') continue;
      const reject = JSON.parse(line) as { row: number; errors: { column: string; reason: string }[] };
      assert.ok(reject.row > 0 && reject.errors.length > 0, 'each reject names its row and at least one reason');
      rejectLines++;
    }
  }
  assert.equal(rejectLines, rows.invalid);
  assert.equal((await rawRows(h, 'people')).length, rows.loaded);
}

describe('bad-input corpus: each file gets its exact outcome, and every row is accounted for', () => {
  test('the corpus holds at least 25 distinct files', () => {
    assert.ok(new Set(CASES.map((c) => c.file)).size >= 25);
  });

  for (const c of CASES) {
    const label = `${c.file}${c.source ? ` (source ${c.source})` : ''} → ${c.outcome}`;
    test(label, async () => {
      // Prepare
      const h = harness();
      harnesses.push(h);
      const path = join(CORPUS_DIR, c.file);
      const key = h.drop(path, c.source ?? 'people', c.name);

      // Act
      const summary = await h.ingest(key);

      // Assess
      assert.equal(summary.outcome, c.outcome);
      assert.deepEqual(summary.rows, c.rows);
      assert.equal(summary.reason, c.reason);
      assert.deepEqual(summary.rejected_reasons, c.rejected ?? {});
      await assertAccounted(h, summary, readFileSync(path));
      c.raw?.(await rawRows(h, 'people'));
    });
  }

  test('the same content dropped again is a duplicate: quarantined with a report, never loaded twice', async () => {
    // Prepare
    const h = harness();
    harnesses.push(h);
    const path = join(CORPUS_DIR, 'valid.csv');
    const first = await h.ingest(h.drop(path, 'people'));
    const hash = createHash('sha256').update(readFileSync(path)).digest('hex');

    // Act
    const second = await h.ingest(h.drop(path, 'people', 'valid-resent.csv'));

    // Assess
    assert.equal(first.outcome, 'loaded');
    assert.equal(second.outcome, 'duplicate');
    assert.equal(
      second.reason,
      `duplicate: the same content (sha256 ${hash.slice(0, 12)}…) was already loaded from landing/people/valid.csv at 2026-11-16T10:00:00.000Z by run-1; not loaded again`,
    );
    assert.deepEqual(second.rows, none);
    assert.equal((await rawRows(h, 'people')).length, 3);
    assert.deepEqual(await h.keys('landing'), []);
    assert.ok(second.locations.original?.startsWith(`quarantine/people/2026-11-16/${hash}/duplicate-1/`));
    assert.deepEqual(
      readFileSync(h.folders.pathOf('quarantine', (second.locations.original ?? '').slice('quarantine/'.length))),
      readFileSync(path),
    );
  });

  test('quarantined content is not a duplicate: dropped again where it belongs, it loads (attempt 2)', async () => {
    // Prepare: first dropped into the XLSX source's folder, where it is quarantined.
    const path = join(CORPUS_DIR, 'valid.csv');
    const h = harness();
    harnesses.push(h);
    const quarantined = await h.ingest(h.drop(path, 'people_xlsx', 'valid.csv'));

    // Act
    const loaded = await h.ingest(h.drop(path, 'people', 'valid.csv'));

    // Assess
    assert.equal(quarantined.outcome, 'quarantined');
    assert.equal(loaded.outcome, 'loaded');
    assert.equal(loaded.attempt, 2);
    assert.equal((await rawRows(h, 'people')).length, 3);
  });
});
