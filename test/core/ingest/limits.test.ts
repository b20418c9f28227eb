import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { zipOf } from '../../../bench/lib/zip.ts';
import { harness, ingestProjectFiles } from './harness.ts';

describe('hostile workbooks are refused by their declared sizes, before anything is inflated', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dap-bombs-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('a shared-string table that inflates 1000-fold is quarantined as a decompression bomb', async () => {
    // Prepare: 64 MiB of one character deflate to about 64 KB
    const h = harness();
    after(() => h.cleanup());
    const file = join(folder, 'bomb.xlsx');
    writeFileSync(
      file,
      zipOf({
        '[Content_Types].xml': Buffer.from('<Types/>'),
        'xl/sharedStrings.xml': Buffer.alloc(64 * 1024 * 1024, 'a'),
        'xl/worksheets/sheet1.xml': Buffer.from('<worksheet/>'),
      }),
    );
    const before = process.memoryUsage().rss;

    // Act
    const summary = await h.ingest(h.drop(file, 'people_xlsx'));

    // Assess
    assert.equal(summary.outcome, 'quarantined');
    assert.match(
      summary.reason ?? '',
      /^xl\/sharedStrings\.xml inflates \d+-fold \(\d+ to 67108864 bytes\), over max_compression_ratio \(250\): a decompression bomb$/,
    );
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024, 'nothing was inflated');
    assert.equal((await h.keys('quarantine')).filter((k) => k.endsWith('bomb.xlsx')).length, 1, 'the file is kept');
  });

  test('total inflated size and the shared-string table have limits of their own, named in the reason', async () => {
    // Prepare: moderately compressible entries, over limits the source sets low
    const files = ingestProjectFiles();
    const xlsxSource = JSON.parse(files['config/sources/files/people_xlsx.json'] ?? '{}');
    files['config/sources/files/people_xlsx.json'] = JSON.stringify({
      ...xlsxSource,
      max_uncompressed_bytes: 2 * 1024 * 1024,
    });
    const h = harness(files);
    after(() => h.cleanup());
    const random = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => 97 + ((i * 7919) % 26)));
    const file = join(folder, 'big.xlsx');
    writeFileSync(file, zipOf({ 'xl/worksheets/sheet1.xml': random }));

    // Act
    const summary = await h.ingest(h.drop(file, 'people_xlsx'));

    // Assess
    assert.equal(summary.outcome, 'quarantined');
    assert.equal(summary.reason, 'the workbook inflates to 3145728 bytes, over max_uncompressed_bytes (2097152)');
  });

  test('a sheet with more rows or wider rows than the source allows is quarantined whole', async () => {
    // Prepare
    const files = ingestProjectFiles();
    const xlsxSource = JSON.parse(files['config/sources/files/people_xlsx.json'] ?? '{}');
    files['config/sources/files/people_xlsx.json'] = JSON.stringify({ ...xlsxSource, max_rows: 3, max_columns: 5 });
    const h = harness(files);
    after(() => h.cleanup());
    const write = async (name: string, rows: unknown[][]) => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('People');
      for (const row of rows) sheet.addRow(row);
      await workbook.xlsx.writeFile(join(folder, name));
      return join(folder, name);
    };
    const header = ['person_id', 'full_name', 'email', 'born', 'score'];
    const tall = await write('tall.xlsx', [
      header,
      ...Array.from({ length: 5 }, (_, i) => [`p${i}`, 'A', 'a@x.org', null, 1]),
    ]);
    const wide = await write('wide.xlsx', [header, ['p1', 'A', 'a@x.org', null, 1, 'x', 'y']]);

    // Act
    const tallSummary = await h.ingest(h.drop(tall, 'people_xlsx'));
    const wideSummary = await h.ingest(h.drop(wide, 'people_xlsx'));

    // Assess
    assert.deepEqual(
      [tallSummary.outcome, tallSummary.reason],
      ['quarantined', 'row 5: the file has more than max_rows (3) data rows'],
    );
    assert.deepEqual(
      [wideSummary.outcome, wideSummary.reason],
      ['quarantined', 'row 2: 7 columns, more than max_columns (5)'],
    );
  });
});

describe('CSV files have the row, column and cell limits workbooks have', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dap-csv-limits-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const limited = (limits: Record<string, number>) => {
    const files = ingestProjectFiles();
    const people = JSON.parse(files['config/sources/files/people.json'] ?? '{}');
    files['config/sources/files/people.json'] = JSON.stringify({ ...people, ...limits });
    const h = harness(files);
    after(() => h.cleanup());
    return h;
  };
  const header = 'ID,Name,Email,Born,Score';

  test('a file with more data rows than max_rows is quarantined whole, the limit named', async () => {
    // Prepare
    const h = limited({ max_rows: 3 });
    const file = join(folder, 'tall.csv');
    writeFileSync(file, [header, ...Array.from({ length: 5 }, (_, i) => `p${i},A,a@x.org,,1`)].join('\n'));

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.deepEqual(
      [summary.outcome, summary.reason],
      ['quarantined', 'row 5: the file has more than max_rows (3) data rows'],
    );
    assert.equal((await h.keys('raw')).length, 0, 'no part of it loads');
    assert.equal((await h.keys('quarantine')).filter((k) => k.endsWith('tall.csv')).length, 1, 'the file is kept');
  });

  test('a file of exactly max_rows data rows loads', async () => {
    // Prepare
    const h = limited({ max_rows: 3 });
    const file = join(folder, 'three.csv');
    writeFileSync(file, [header, ...Array.from({ length: 3 }, (_, i) => `p${i},A,a@x.org,,1`)].join('\n'));

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.deepEqual([summary.outcome, summary.reason, summary.rows.loaded], ['loaded', null, 3]);
  });

  test('a record wider than max_columns is quarantined whole, its row and the limit named', async () => {
    // Prepare
    const h = limited({ max_columns: 5 });
    const file = join(folder, 'wide.csv');
    writeFileSync(file, [header, 'p1,A,a@x.org,,1', 'p2,A,a@x.org,,1,x,y'].join('\n'));

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.deepEqual([summary.outcome, summary.reason], ['quarantined', 'row 3: 7 columns, more than max_columns (5)']);
  });

  test('one cell longer than max_cell_bytes is quarantined whole, in CSV and XLSX alike', async () => {
    // Prepare
    const h = limited({ max_cell_bytes: 2048 });
    const csv = join(folder, 'long-cell.csv');
    writeFileSync(csv, [header, `p1,${'A'.repeat(3000)},a@x.org,,1`].join('\n'));
    const files = ingestProjectFiles();
    const xlsxSource = JSON.parse(files['config/sources/files/people_xlsx.json'] ?? '{}');
    files['config/sources/files/people_xlsx.json'] = JSON.stringify({ ...xlsxSource, max_cell_bytes: 2048 });
    const hx = harness(files);
    after(() => hx.cleanup());
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('People');
    sheet.addRow(header.split(','));
    sheet.addRow(['p1', 'A'.repeat(3000), 'a@x.org', null, 1]);
    const xlsx = join(folder, 'long-cell.xlsx');
    await workbook.xlsx.writeFile(xlsx);

    // Act
    const csvSummary = await h.ingest(h.drop(csv, 'people'));
    const xlsxSummary = await hx.ingest(hx.drop(xlsx, 'people_xlsx'));

    // Assess
    assert.deepEqual(
      [csvSummary.outcome, csvSummary.reason],
      ['quarantined', 'row 2: column 2 holds 3000 characters, more than max_cell_bytes (2048)'],
    );
    assert.deepEqual(
      [xlsxSummary.outcome, xlsxSummary.reason],
      ['quarantined', 'row 2: column 2 holds 3000 characters, more than max_cell_bytes (2048)'],
    );
  });
});
