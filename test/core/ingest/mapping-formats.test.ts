import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { checkProjectFiles } from '../../../lib/check/check.ts';
import { formatProblem } from '../../../lib/core/model/problems.ts';
import { CORPUS_DIR, harness, ingestProjectFiles, rawRows } from './harness.ts';

/**
 * One sender, several layouts: CSV from one branch, CSV with title rows from a second, XLSX from a third, all in one
 * file source. Each mapping version may carry its own `format` (the source's is the default); a file is read the way
 * of the version its kind (ZIP signature or not) and header match.
 */

const FILE = 'config/sources/files/branches.json';
const header = ['ID', 'Name', 'Email', 'Born', 'Score'];
const columns = {
  person_id: { from: 'ID', required: true },
  name: { from: 'Name' },
  email: { from: 'Email', required: true },
  born: { from: 'Born', format: 'DD/MM/YYYY' },
  score: { from: 'Score' },
};
const titledColumns = { person_id: { from: 'Person ID', required: true }, name: { from: 'Full Name' } };

function branches(fields: Record<string, unknown> = {}) {
  return {
    source: 'branches',
    dataset: 'people',
    max_reject_ratio: 0.5,
    mappings: [
      { version: 'north_csv', format: { type: 'csv' }, header, columns },
      {
        version: 'south_titled',
        format: { type: 'csv', delimiter: ';', header_row: 3 },
        header: ['Person ID', 'Full Name'],
        columns: titledColumns,
      },
      { version: 'west_xlsx', format: { type: 'xlsx', sheet: 'People' }, header, columns },
    ],
    ...fields,
  };
}

function filesWith(changes: Record<string, unknown>): Record<string, string> {
  const files = ingestProjectFiles();
  for (const [path, value] of Object.entries(changes)) files[path] = `${JSON.stringify(value, null, 2)}\n`;
  return files;
}

function problemsWith(source: unknown): string[] {
  const { problems } = checkProjectFiles(new Map(Object.entries(filesWith({ [FILE]: source }))));
  return problems.map(formatProblem).filter((p) => p.startsWith(FILE));
}

describe('a format per mapping version', () => {
  const h = harness(filesWith({ [FILE]: branches() }));
  after(() => h.cleanup());

  test('a CSV with its header on row 1 is read as the CSV version says', async () => {
    // Act
    const summary = await h.ingest(h.drop(join(CORPUS_DIR, 'valid.csv'), 'branches', 'north.csv'));

    // Assess
    assert.equal(summary.outcome, 'loaded', summary.reason ?? '');
    assert.equal(summary.mapping_version, 'north_csv');
    assert.equal(summary.parse.format, 'csv');
    assert.equal(summary.parse.header_row, 1);
    assert.equal(summary.rows.loaded, 3);
  });

  test('a CSV with title rows and semicolons is read with the header row and delimiter of its own version', async () => {
    // Prepare
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'dap-branches-')), 'south.csv');
    writeFileSync(file, 'South branch export\n\nPerson ID;Full Name\nS1;Sam Smith\nS2;Sue Stone\n');

    // Act
    const summary = await h.ingest(h.drop(file, 'branches'));

    // Assess
    assert.equal(summary.outcome, 'loaded', summary.reason ?? '');
    assert.equal(summary.mapping_version, 'south_titled');
    assert.equal(summary.parse.header_row, 3);
    assert.equal(summary.parse.delimiter, ';');
    const south = (await rawRows(h, 'people')).filter((row) => row.mapping_version === 'south_titled');
    assert.deepEqual(
      south.map((row) => [row.person_id, row.name, row.source_row]),
      [
        ['S1', 'Sam Smith', 4],
        ['S2', 'Sue Stone', 5],
      ],
    );
  });

  test('a workbook is read as the XLSX version says, with its sheet', async () => {
    // Act
    const summary = await h.ingest(h.drop(join(CORPUS_DIR, 'valid.xlsx'), 'branches', 'west.xlsx'));

    // Assess
    assert.equal(summary.outcome, 'loaded', summary.reason ?? '');
    assert.equal(summary.mapping_version, 'west_xlsx');
    assert.equal(summary.parse.format, 'xlsx');
    assert.equal(summary.parse.sheet, 'People');
  });

  test('a header no version of the file kind knows is quarantined, naming the versions it was read for', async () => {
    // Act
    const summary = await h.ingest(h.drop(join(CORPUS_DIR, 'unknown-header.csv'), 'branches'));

    // Assess
    assert.equal(summary.outcome, 'quarantined');
    assert.match(summary.reason ?? '', /matches no mapping version/);
    assert.match(summary.reason ?? '', /north_csv/);
    assert.match(summary.reason ?? '', /south_titled/);
    assert.doesNotMatch(summary.reason ?? '', /west_xlsx/);
  });

  test('a workbook sent to a source whose versions all read CSV is quarantined with the reason', async () => {
    // Prepare
    const csvOnly = harness(filesWith({ [FILE]: branches({ mappings: branches().mappings.slice(0, 2) }) }));
    after(() => csvOnly.cleanup());

    // Act
    const summary = await csvOnly.ingest(csvOnly.drop(join(CORPUS_DIR, 'valid.xlsx'), 'branches', 'west.xlsx'));

    // Assess
    assert.equal(summary.outcome, 'quarantined');
    assert.equal(summary.reason, 'the file is a ZIP archive (an XLSX workbook?), but the source expects CSV');
  });
});

describe('dap check on formats per mapping version', () => {
  test('a source of CSV, titled CSV and XLSX versions is clean', () => {
    assert.deepEqual(problemsWith(branches()), []);
  });

  test('a version without a format in a source without one says where a format is expected', () => {
    // Arrange
    const source = branches();
    const [north, ...rest] = source.mappings;
    const { format: _, ...bare } = north ?? {};

    // Act and assess
    assert.deepEqual(problemsWith({ ...source, mappings: [bare, ...rest] }), [
      `${FILE}: mappings[0].format: expected a format ({"type": "csv"} or {"type": "xlsx"}) here or for the whole source`,
    ]);
  });

  test("a version's format says what is expected of it", () => {
    // Arrange
    const source = branches();
    const mappings = source.mappings.map((m, i) => (i === 2 ? { ...m, format: { type: 'xls' } } : m));

    // Act and assess
    assert.deepEqual(problemsWith({ ...source, mappings }), [
      `${FILE}: mappings[2].format.type: expected format.type "csv" or "xlsx"`,
    ]);
  });

  test('the same header is told apart by the file kind and the header row, and refused when neither differs', () => {
    // Arrange
    const source = branches();
    const north = source.mappings[0];
    const twin = { ...north, version: 'east_csv' };
    const otherRow = { ...north, version: 'east_titled', format: { type: 'csv', header_row: 2 } };

    // Act and assess
    assert.deepEqual(problemsWith({ ...source, mappings: [...source.mappings, otherRow] }), []);
    assert.deepEqual(problemsWith({ ...source, mappings: [...source.mappings, twin] }), [
      `${FILE}: mappings[3].header: same header as version "north_csv", read the same way (csv, header row 1): a file could not tell them apart`,
    ]);
  });

  test('a source-wide format stays the default of every version', () => {
    // Arrange
    const { mappings } = branches();
    const bare = mappings.map(({ format: _, ...m }) => m);
    const source = branches({ format: { type: 'csv' }, mappings: [bare[0], mappings[1]] });

    // Act and assess
    assert.deepEqual(problemsWith(source), []);
  });
});
