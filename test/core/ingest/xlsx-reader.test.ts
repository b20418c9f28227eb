import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ZipOptions, zipOf } from '../../../bench/lib/zip.ts';
import type { Cell, SourceRecord } from '../../../lib/core/ingest/cells.ts';
import {
  readXlsxRecords,
  type WorkbookSource,
  type XlsxReadOptions,
  type XlsxSheetInfo,
} from '../../../lib/core/ingest/xlsx-reader.ts';
import { readZipDirectory } from '../../../lib/core/ingest/zip-directory.ts';

const WORKSHEET = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet';
const CHARTSHEET = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet';
const STRINGS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings';
const STYLES = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles';

/** The parts of a workbook as a spreadsheet program writes them (sheets given as their `<sheetData>` content). */
function workbookParts(options: {
  readonly sheets: Readonly<Record<string, string>>;
  readonly strings?: readonly string[];
  readonly date1904?: boolean;
  readonly chart?: string;
}): Record<string, Buffer> {
  const names = Object.keys(options.sheets);
  const sheetTags = names.map((name, i) => `<sheet name="${name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`);
  const rels = names.map(
    (_, i) => `<Relationship Id="rId${i + 1}" Type="${WORKSHEET}" Target="worksheets/sheet${i + 1}.xml"/>`,
  );
  if (options.chart !== undefined) {
    sheetTags.push(`<sheet name="${options.chart}" sheetId="99" r:id="rIdChart"/>`);
    rels.push(`<Relationship Id="rIdChart" Type="${CHARTSHEET}" Target="chartsheets/sheet1.xml"/>`);
  }
  rels.push(`<Relationship Id="rIdS" Type="${STRINGS}" Target="sharedStrings.xml"/>`);
  rels.push(`<Relationship Id="rIdY" Type="${STYLES}" Target="/xl/styles.xml"/>`);
  const parts: Record<string, Buffer> = {};
  names.forEach((name, i) => {
    parts[`xl/worksheets/sheet${i + 1}.xml`] = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="x"><dimension ref="A1"/><cols><col min="1" max="1"/></cols><sheetData>${options.sheets[name]}</sheetData><rowBreaks count="0"/></worksheet>`,
    );
  });
  parts['xl/sharedStrings.xml'] = Buffer.from(
    `<sst count="${options.strings?.length ?? 0}">${(options.strings ?? []).map((s) => `<si>${s}</si>`).join('')}</sst>`,
  );
  parts['xl/styles.xml'] = Buffer.from(
    '<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="0.00&quot; days&quot;"/></numFmts>' +
      '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>' +
      '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="14"><alignment/></xf><xf numFmtId="165"/></cellXfs></styleSheet>',
  );
  parts['xl/workbook.xml'] = Buffer.from(
    `<workbook xmlns:r="r"><workbookPr${options.date1904 ? ' date1904="1"' : ''}/><sheets>${sheetTags.join('')}</sheets></workbook>`,
  );
  parts['xl/_rels/workbook.xml.rels'] = Buffer.from(`<Relationships>${rels.join('')}</Relationships>`);
  parts['_rels/.rels'] = Buffer.from(
    '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  );
  parts['[Content_Types].xml'] = Buffer.from('<Types/>');
  return parts;
}

/** A workbook in memory, read by range as the store reads it; records which ranges were opened. */
function inMemory(
  file: Buffer,
  chunkBytes = 4096,
): WorkbookSource & { readonly opened: { start: number; end: number }[] } {
  const opened: { start: number; end: number }[] = [];
  return {
    entries: readZipDirectory(file.subarray(Math.max(0, file.length - 1024 * 1024)), file.length),
    bytes: file.length,
    opened,
    open: async (range) => {
      opened.push({ ...range });
      return (async function* () {
        for (let at = range.start; at < range.end; at += chunkBytes) {
          yield file.subarray(at, Math.min(range.end, at + chunkBytes));
        }
      })();
    },
  };
}

async function readAll(
  source: WorkbookSource,
  options: Partial<XlsxReadOptions> = {},
): Promise<{ records: SourceRecord[]; sheet?: XlsxSheetInfo }> {
  const records: SourceRecord[] = [];
  let sheet: XlsxSheetInfo | undefined;
  for await (const batch of readXlsxRecords(source, { sheet: undefined, ...options }, (s) => {
    sheet = s;
  })) {
    records.push(...batch);
  }
  return sheet === undefined ? { records } : { records, sheet };
}

/** The archive with its parts in the given order (any part not named keeps its place after them). */
function ordered(parts: Record<string, Buffer>, first: readonly string[]): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const name of first) out[name] = parts[name] as Buffer;
  for (const [name, data] of Object.entries(parts)) if (!(name in out)) out[name] = data;
  return out;
}

const people = workbookParts({
  sheets: {
    People:
      '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Born</t></is></c><c r="D1" t="s"><v>2</v></c></row>' +
      '<row r="2" spans="1:4"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>44927</v></c><c r="C2" s="2"><v>32874.5</v></c><c r="D2"><v>98.5</v></c></row>' +
      // A gap: row 3 absent; row 4 sparse (B empty), a boolean, a self-closing styled cell.
      '<row r="4"><c r="A4" t="inlineStr"><is><r><t>Grace</t></r><r><rPr><b/></rPr><t xml:space="preserve"> Hopper</t></r></is></c><c r="C4" t="b"><v>1</v></c><c r="D4" s="1"/></row>' +
      // Rows and cells without references follow the ones before.
      '<row><c t="e"><v>#N/A</v></c><c t="str"><f>A1&amp;"x"</f><v>Ada &lt;x&gt;</v></c><c><f>1+1</f></c><c t="e"><f>1/0</f><v>#DIV/0!</v></c></row>' +
      '<row r="6"><c r="A6" t="d"><v>2024-02-29T10:30:00Z</v></c><c r="B6" s="3"><v>1.5</v></c><c r="C6"><v>1E3</v></c></row>' +
      '<row r="7"/>',
  },
  strings: [
    '<t>Name</t>',
    '<r><t>Jo</t></r><r><rPr><i/></rPr><t>ined</t></r><rPh sb="0" eb="1"><t>ジ</t></rPh>',
    '<t>Score</t>',
    '<t xml:space="preserve">Ada_x000D_&#10;Lovelace &amp; co</t>',
  ],
});

const expected: { row: number; cells: Cell[] }[] = [
  { row: 1, cells: ['Name', 'Joined', 'Born', 'Score'] },
  { row: 2, cells: ['Ada\r\nLovelace & co', new Date('2023-01-01T00:00:00Z'), new Date('1990-01-01T12:00:00Z'), 98.5] },
  { row: 4, cells: ['Grace Hopper', null, true, null] },
  {
    row: 5,
    cells: [
      { error: '#N/A' },
      'Ada <x>',
      { error: 'a formula without a cached value (saved by a tool that does not calculate)' },
      { error: '#DIV/0!' },
    ],
  },
  { row: 6, cells: [new Date('2024-02-29T10:30:00Z'), 1.5, 1000] },
  { row: 7, cells: [] },
];

describe('the XLSX reader reads parts by range from the ZIP directory, in any archive order', () => {
  test('every kind of cell keeps its type: shared, inline and rich strings, dates by style, booleans, errors, formulas', async () => {
    const { records, sheet } = await readAll(inMemory(zipOf(people)));

    assert.deepEqual(sheet, { name: 'People', position: 1 });
    assert.deepEqual(
      records.map((r) => ({ row: r.row, cells: [...r.cells] })),
      expected,
    );
  });

  test('a worksheet stored before the workbook, its relationships and shared strings reads the same', async () => {
    // exceljs's streaming reader buffered such a sheet to a temporary file and failed under load.
    const archive = zipOf(ordered(people, ['xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/styles.xml']));

    const { records } = await readAll(inMemory(archive, 97));

    assert.deepEqual(
      records.map((r) => ({ row: r.row, cells: [...r.cells] })),
      expected,
    );
  });

  test('twenty reads of one workbook at once give the same rows', async () => {
    const archive = zipOf(ordered(people, ['xl/worksheets/sheet1.xml']));

    const all = await Promise.all(Array.from({ length: 20 }, () => readAll(inMemory(archive, 512))));

    for (const { records } of all) assert.deepEqual(records.length, expected.length);
  });

  test('serial dates count from 1904 when the workbook says so', async () => {
    const parts = workbookParts({ date1904: true, sheets: { S: '<row r="1"><c r="A1" s="1"><v>0</v></c></row>' } });

    const { records } = await readAll(inMemory(zipOf(parts)));

    assert.deepEqual(records[0]?.cells, [new Date('1904-01-01T00:00:00Z')]);
  });

  test('the sheet is chosen by name or tab position; a missing one names those there are', async () => {
    const parts = workbookParts({
      sheets: { Summary: '<row r="1"><c r="A1"><v>1</v></c></row>', Data: '<row r="1"><c r="A1"><v>2</v></c></row>' },
      chart: 'Chart',
    });
    const source = inMemory(zipOf(parts));

    const byName = await readAll(source, { sheet: { name: 'Data' } });
    const byIndex = await readAll(source, { sheet: { index: 2 } });
    const first = await readAll(source);

    assert.deepEqual([byName.records[0]?.cells, byName.sheet], [[2], { name: 'Data', position: 2 }]);
    assert.deepEqual(byIndex.records[0]?.cells, [2]);
    assert.deepEqual(first.records[0]?.cells, [1]);
    await assert.rejects(readAll(source, { sheet: { name: 'People' } }), {
      name: 'XlsxReadError',
      message: 'the workbook has no worksheet "People" (it has "Summary", "Data", "Chart")',
    });
    await assert.rejects(readAll(source, { sheet: { name: 'Chart' } }), {
      name: 'XlsxReadError',
      message: 'worksheet "Chart" is a chartsheet, not a worksheet of cells',
    });
  });

  test('reading only as far as the header opens bounded ranges and reads no further', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`);
    const source = inMemory(zipOf(workbookParts({ sheets: { S: rows.join('') } })), 1024);

    for await (const batch of readXlsxRecords(source, { sheet: undefined })) {
      assert.equal(batch[0]?.row, 1);
      break;
    }

    assert.ok(source.opened.every((r) => r.end <= source.bytes && r.start < r.end));
  });
});

describe('a damaged or lying archive is refused with the part and the reason', () => {
  async function refusal(parts: Record<string, Buffer>, options: ZipOptions): Promise<string> {
    try {
      await readAll(inMemory(zipOf(parts, options)));
    } catch (error) {
      assert.equal((error as Error).name, 'XlsxReadError');
      return (error as Error).message;
    }
    return 'read without error';
  }

  test('a worksheet that inflates past the size its directory declares (a hidden bomb)', async () => {
    const message = await refusal(people, { declaredBytes: { 'xl/worksheets/sheet1.xml': 100 } });

    assert.equal(
      message,
      'not a readable XLSX workbook: xl/worksheets/sheet1.xml inflates past the 100 bytes its ZIP directory declares (a damaged or hostile file)',
    );
  });

  test('a part whose bytes do not match its CRC-32', async () => {
    const message = await refusal(people, { badCrc: ['xl/sharedStrings.xml'] });

    assert.match(message, /^not a readable XLSX workbook: xl\/sharedStrings\.xml fails its CRC-32 or size check/);
  });

  test('a workbook without its workbook part', async () => {
    const parts = { ...people };
    delete parts['xl/workbook.xml'];

    assert.equal(await refusal(parts, {}), 'not a readable XLSX workbook: it has no xl/workbook.xml');
  });

  test('deflate data that is not deflate', async () => {
    const archive = zipOf(people);
    const entry = readZipDirectory(archive, archive.length).find((e) => e.name === 'xl/worksheets/sheet1.xml');
    assert.ok(entry);
    const data = entry.localHeaderOffset + 30 + entry.name.length;
    archive.fill(0xff, data, data + Math.min(16, entry.compressedBytes));

    await assert.rejects(readAll(inMemory(archive)), {
      name: 'XlsxReadError',
      message: /^not a readable XLSX workbook: xl\/worksheets\/sheet1\.xml cannot be inflated: .+ \(a damaged file\)$/,
    });
  });

  test('a row whose XML never closes is refused at the row limit, not buffered whole', async () => {
    const text = 'x'.repeat(5 * 1024 * 1024);
    const parts = workbookParts({ sheets: { S: `<row r="1"><c r="A1" t="inlineStr"><is><t>${text}</t></is></c>` } });

    await assert.rejects(readAll(inMemory(zipOf(parts), 65_536), { maxRecordLength: 10_000 }), {
      name: 'XlsxReadError',
      message: 'row 1 is longer than max_record_bytes (10000 characters)',
    });
  });

  test('a worksheet that ends inside a row was cut short', async () => {
    const parts = workbookParts({
      sheets: { S: '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v>' },
    });

    await assert.rejects(readAll(inMemory(zipOf(parts))), {
      name: 'XlsxReadError',
      message: 'the worksheet ends inside row 2 (a damaged file)',
    });
  });
});
