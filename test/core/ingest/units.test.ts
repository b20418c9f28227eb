import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { castCell, DEFAULT_CAST_OPTIONS, excelSerialToDate } from '../../../lib/core/ingest/cast.ts';
import { readCsvRecords, sniffDelimiter } from '../../../lib/core/ingest/csv-reader.ts';
import { detectEncoding } from '../../../lib/core/ingest/encoding.ts';
import { globToRegExp, routeKey, safeBaseName } from '../../../lib/core/ingest/keys.ts';
import { headerFingerprint, matchMapping, readHeader, rowMapper } from '../../../lib/core/ingest/mapping.ts';
import { parseColumnType } from '../../../lib/core/model/column-types.ts';
import { fileSourceSchema } from '../../../lib/core/model/file-source-schema.ts';

const cast = (value: string | number | Date, type: string, options: Partial<typeof DEFAULT_CAST_OPTIONS> = {}) =>
  castCell(value, parseColumnType(type), { ...DEFAULT_CAST_OPTIONS, ...options });

describe('casts with explicit formats', () => {
  test('dates: the configured format, real calendar days only, Excel dates and serials', () => {
    assert.deepEqual(cast('05/11/2026', 'date', { format: 'DD/MM/YYYY' }), { ok: true, value: '2026-11-05' });
    assert.deepEqual(cast('5 Nov 2026', 'date', { format: 'D MMM YYYY' }), { ok: true, value: '2026-11-05' });
    assert.deepEqual(cast('29/02/2027', 'date', { format: 'DD/MM/YYYY' }), {
      ok: false,
      reason: '"29/02/2027" is not a date in format DD/MM/YYYY',
    });
    assert.deepEqual(cast(new Date('2026-11-05T00:00:00Z'), 'date'), { ok: true, value: '2026-11-05' });
    assert.deepEqual(cast(46331, 'date'), { ok: true, value: '2026-11-05' });
    assert.equal(excelSerialToDate(46331.5).toISOString(), '2026-11-05T12:00:00.000Z');
    assert.deepEqual(cast('2026-11-05 14:31', 'timestamp', { format: 'YYYY-MM-DD HH:mm' }), {
      ok: true,
      value: '2026-11-05 14:31:00',
    });
  });

  test('numbers: separators, ranges and decimal scale are explicit', () => {
    assert.deepEqual(cast('1.250,5', 'double', { decimalSeparator: ',', thousandsSeparator: '.' }), {
      ok: true,
      value: 1250.5,
    });
    assert.deepEqual(cast('1,250', 'int'), {
      ok: false,
      reason: '"1,250" is not a whole number (int, decimal separator ".")',
    });
    assert.deepEqual(cast('1,250', 'int', { thousandsSeparator: ',' }), { ok: true, value: 1250 });
    assert.deepEqual(cast('300', 'tinyint'), { ok: false, reason: '"300" is out of range for tinyint' });
    assert.deepEqual(cast('9007199254740993', 'bigint'), { ok: true, value: '9007199254740993' });
    assert.deepEqual(cast('19.9', 'decimal(10,2)'), { ok: true, value: '19.90' });
    assert.deepEqual(cast(19.989999999999998, 'decimal(10,2)'), { ok: true, value: '19.99' });
    assert.deepEqual(cast('1.234', 'decimal(10,2)'), {
      ok: false,
      reason: '"1.234" has 3 decimal places, decimal(10,2) allows 2',
    });
    assert.deepEqual(cast('Y', 'boolean'), { ok: true, value: true });
    assert.deepEqual(cast('maybe', 'boolean'), {
      ok: false,
      reason: '"maybe" is not a boolean (expected one of true, yes, y, 1, false, no, n, 0)',
    });
  });
});

describe('keys', () => {
  test('routing: source folder, unsafe segments, unknown sources', () => {
    const sources = new Set(['shop']);
    assert.deepEqual(routeKey('landing/shop/a b.csv', sources), { ok: true, source: 'shop', name: 'a b.csv' });
    assert.deepEqual(routeKey('landing/shop/../x.csv', sources), {
      ok: false,
      source: undefined,
      reason: 'unsafe object key "landing/shop/../x.csv": it contains a "." or ".." path segment',
    });
    assert.deepEqual(routeKey('landing/shop//x.csv', sources), {
      ok: false,
      source: undefined,
      reason: 'unsafe object key "landing/shop//x.csv": it contains an empty path segment ("//")',
    });
    assert.deepEqual(routeKey('landing/shop/x\u0007.csv', sources), {
      ok: false,
      source: undefined,
      reason: 'unsafe object key "landing/shop/x\\x07.csv": it contains a control character',
    });
    assert.deepEqual(routeKey('landing/x.csv', sources), {
      ok: false,
      source: undefined,
      reason: 'object key "landing/x.csv" has no source folder: expected landing/<source>/<file name>',
    });
  });

  test('derived names are safe; globs match within a segment unless **', () => {
    assert.equal(safeBaseName('landing/s/..Zoë (1)#.csv'), 'Zoe_1_.csv');
    assert.equal(safeBaseName('landing/s/...'), 'file');
    assert.ok(globToRegExp('customers_*.csv').test('customers_2026.csv'));
    assert.ok(!globToRegExp('*.csv').test('2026/customers.csv'));
    assert.ok(globToRegExp('**.csv').test('2026/customers.csv'));
  });
});

describe('header matching and row mapping', () => {
  const source = fileSourceSchema.parse({
    source: 'people',
    format: { type: 'csv' },
    dataset: 'people',
    mappings: [
      {
        version: 'v1',
        header: ['ID', 'First name', 'Last name', 'Phone'],
        optional_columns: ['Phone'],
        columns: {
          id: { from: 'ID', required: true },
          name: { concat: ['First name', 'Last name'] },
          phone: { from: 'Phone', transforms: ['digits_only'] },
          kind: { constant: 'person' },
        },
      },
      { version: 'v2', header: ['Person ID', 'Full name'], columns: { id: { from: 'Person ID' } } },
    ],
  });
  const columns = ['id', 'name', 'phone', 'kind'].map((name) => ({ name, type: 'string' }));

  test('names are compared normalised; optional columns may be absent; the fingerprint ignores order and case', () => {
    const header = readHeader(['id', ' FIRST-NAME ', 'Last Name']);
    const match = matchMapping(header, source.mappings);
    assert.ok(match.ok && match.version.version === 'v1');
    assert.equal(headerFingerprint(['B', 'a']), headerFingerprint(['A', 'b ']));
  });

  test('a row maps through concat, transforms and constants; width errors name the counts', () => {
    const header = readHeader(['ID', 'First name', 'Last name', 'Phone']);
    const match = matchMapping(header, source.mappings);
    assert.ok(match.ok);
    const map = rowMapper(match.version, header, columns, { strictWidth: true, padShortRows: false });
    assert.deepEqual(map({ row: 2, cells: ['7', 'Ada', 'Lovelace', '(0113) 496-0001'] }), {
      ok: true,
      // In the dataset's column order: id, name, phone, kind.
      values: ['7', 'Ada Lovelace', '01134960001', 'person'],
    });
    assert.deepEqual(map({ row: 3, cells: ['', 'Ada', 'Lovelace', ''] }), {
      ok: false,
      errors: [{ column: 'ID', target: 'id', value: '', reason: 'required value is empty' }],
    });
    assert.deepEqual(map({ row: 4, cells: ['7', 'Ada'] }), {
      ok: false,
      errors: [{ column: '(row)', reason: 'row has 2 fields, the header has 4' }],
    });
  });
});

describe('parsing details', () => {
  test('encoding evidence: BOMs, UTF-16 without BOM, UTF-8 validity, Windows-1252 fallback', () => {
    assert.equal(detectEncoding({ head: Buffer.from([0xef, 0xbb, 0xbf, 0x61]), validUtf8: true }).encoding, 'utf-8');
    assert.equal(detectEncoding({ head: Buffer.from('a,b\n', 'utf16le'), validUtf8: false }).encoding, 'utf-16le');
    assert.equal(detectEncoding({ head: Buffer.from([0x61, 0xe9]), validUtf8: false }).encoding, 'windows-1252');
  });

  test('delimiter sniffing ignores delimiters inside quotes', () => {
    assert.equal(sniffDelimiter('a;b;c\n"x,y";2;3\n"p,q";5;6\n', true).delimiter, ';');
  });

  test('records split across chunks at any byte come out the same as from one chunk', async () => {
    const text = 'a,b\r\n"multi\r\nline",2\r\nZoë,"q""uote"\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const read = async (chunks: Uint8Array[]) => {
      const rows: string[][] = [];
      const input = (async function* () {
        yield* chunks;
      })();
      for await (const batch of readCsvRecords(input, { encoding: 'utf-8', delimiter: ',', maxRecordLength: 1000 })) {
        for (const record of batch) rows.push(record.cells as string[]);
      }
      return rows;
    };
    const whole = await read([bytes]);
    assert.deepEqual(whole, [
      ['a', 'b'],
      ['multi\nline', '2'],
      ['Zoë', 'q"uote'],
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(await read([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at byte ${cut}`);
    }
  });
});
