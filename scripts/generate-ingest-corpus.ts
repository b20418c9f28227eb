/**
 * Writes the bad-input corpus under test/fixtures/files/corpus/ (run: `npx tsx scripts/generate-ingest-corpus.ts`).
 * Each file is one surprise a sender can produce; test/core/ingest/corpus.test.ts states the exact outcome of each.
 * The files are committed; this script documents how the binary ones (UTF-16, Windows-1252, XLSX) were made.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mock } from 'node:test';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'files', 'corpus');
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const write = (name: string, content: string | Uint8Array) => writeFileSync(join(DIR, name), content);

const HEADER = 'ID,Name,Email,Born,Score';
const GOOD = [
  'P1,Ada Lovelace,ada@example.com,10/12/1815,98.5',
  'P2,Alan Turing,alan@example.com,23/06/1912,99',
  'P3,Grace Hopper,grace@example.com,09/12/1906,97.25',
];
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

write('valid.csv', lines(HEADER, ...GOOD));
write('empty-0-byte.csv', '');
write('blank-lines-only.csv', '\n\n \n');
write('header-only.csv', lines(HEADER));
write('unknown-header.csv', lines('Product,Price,Stock', 'Mug,8.50,3'));
write('missing-required-column.csv', lines('ID,Name,Born,Score', 'P1,Ada Lovelace,10/12/1815,98.5'));
write('duplicate-header.csv', lines('ID,Name,Email,Born,Score,email', 'P1,Ada,ada@example.com,10/12/1815,1,x'));
write(
  'wrong-types.csv',
  lines(HEADER, GOOD[0] as string, 'P2,Alan Turing,alan@example.com,23/06/1912,ninety', GOOD[2] as string),
);
write(
  'bad-dates.csv',
  lines(
    HEADER,
    'P1,Ada,ada@example.com,31/02/1815,1',
    'P2,Alan,alan@example.com,1912-06-23,2',
    GOOD[2] as string,
    'P4,Edsger,edsger@example.com,11/05/1930,3',
  ),
);
write(
  'ragged-rows.csv',
  lines(
    HEADER,
    GOOD[0] as string,
    'P2,Alan Turing,alan@example.com,23/06/1912,99,extra',
    'P3,Grace Hopper,grace@example.com',
    'P4,Edsger,edsger@example.com,11/05/1930,3',
  ),
);
write(
  'quoted-newlines.csv',
  lines(HEADER, 'P1,"Lovelace,\nAda ""Countess""",ada@example.com,10/12/1815,98.5', GOOD[1] as string),
);
write('bom-utf8.csv', `\uFEFF${lines(HEADER, 'P1,Zoë Ångström,zoe@example.com,01/02/1990,1')}`);
write(
  'utf16le-bom.csv',
  Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(lines(HEADER, 'P1,Zoë Ångström,zoe@example.com,01/02/1990,1'), 'utf16le'),
  ]),
);
write('utf16le-no-bom.csv', Buffer.from(lines(HEADER, 'P1,Chloë Ñúñez,chloe@example.com,01/02/1990,1'), 'utf16le'));
write('windows-1252.csv', Buffer.from(lines(HEADER, 'P1,José Müller,jose@example.com,01/02/1990,1'), 'latin1'));
write(
  'semicolon.csv',
  lines(
    'ID;Name;Email;Born;Score',
    'P1;Lovelace, Ada;ada@example.com;10/12/1815;98.5',
    'P2;Turing, Alan;alan@example.com;23/06/1912;99',
  ),
);
write(
  'tab-crlf.csv',
  'ID\tName\tEmail\tBorn\tScore\r\nP1\tAda\tada@example.com\t10/12/1815\t1\rP2\tAlan\talan@example.com\t23/06/1912\t2\r\n',
);
write('trailing-delimiter.csv', lines(`${HEADER},`, `${GOOD[0]},`, `${GOOD[1]},`));
write(
  'unclosed-quote.csv',
  lines(HEADER, GOOD[0] as string, 'P2,"Alan Turing,alan@example.com,23/06/1912,99', GOOD[2] as string),
);
write('huge-field.csv', lines(HEADER, GOOD[0] as string, `P2,"${'x'.repeat(100_000)}",alan@example.com,23/06/1912,99`));
write('large-field-within-limit.csv', lines(HEADER, `P1,${'y'.repeat(30_000)},ada@example.com,10/12/1815,1`));
write(
  'binary.csv',
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]),
);
write(
  'too-many-rejects.csv',
  lines(HEADER, GOOD[0] as string, 'P2,Alan,not-an-email,23/06/1912,99', GOOD[2] as string),
);
write('all-rejected.csv', lines(HEADER, ',Nobody,,,', 'P2,Alan,not-an-email,23/06/1912,99'));
write('title-rows.csv', lines('People export', 'generated 2026-11-16,,,,', HEADER, ...GOOD));
write(
  'snapshot-duplicate-key.csv',
  lines(HEADER, GOOD[0] as string, GOOD[1] as string, 'P1,Ada Again,ada2@example.com,10/12/1815,1'),
);
write('odd name (1) #2 é.csv', lines(HEADER, GOOD[0] as string));
write('notes.txt', lines(HEADER, GOOD[0] as string));
write('not-a-zip.xlsx', lines(HEADER, GOOD[0] as string));

async function workbook(name: string, build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  mock.timers.enable({ apis: ['Date'], now: new Date('2026-11-16T09:00:00Z') });
  try {
    const wb = new ExcelJS.Workbook();
    wb.created = new Date('2026-11-16T09:00:00Z');
    wb.modified = wb.created;
    build(wb);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    write(name, bytes);
    return bytes;
  } finally {
    mock.timers.reset();
  }
}

const peopleHeader = ['ID', 'Name', 'Email', 'Born', 'Score'];

const valid = await workbook('valid.xlsx', (wb) => {
  const sheet = wb.addWorksheet('People');
  sheet.addRow(peopleHeader);
  sheet.addRow(['P1', 'Ada Lovelace', 'ada@example.com', new Date('1815-12-10T00:00:00Z'), 98.5]);
  sheet.addRow(['P2', 'Alan Turing', 'alan@example.com', new Date('1912-06-23T00:00:00Z'), 99]);
  sheet.getColumn(4).numFmt = 'dd/mm/yyyy';
});
// A damaged download: the first half of a real workbook.
write('corrupt.xlsx', valid.subarray(0, Math.floor(valid.length / 2)));

await workbook('no-data-sheet.xlsx', (wb) => {
  wb.addWorksheet('Summary').addRow(['Nothing to see here']);
});

await workbook('formulas.xlsx', (wb) => {
  const sheet = wb.addWorksheet('People');
  sheet.addRow(peopleHeader);
  sheet.addRow([
    'P1',
    'Ada Lovelace',
    'ada@example.com',
    new Date('1815-12-10T00:00:00Z'),
    { formula: '90+8.5', result: 98.5 },
  ]);
  sheet.addRow([
    'P2',
    { formula: 'CONCATENATE("Alan"," ","Turing")', result: 'Alan Turing' },
    'alan@example.com',
    new Date('1912-06-23T00:00:00Z'),
    { formula: '1/0', result: { error: '#DIV/0!' } },
  ]);
  // Saved by a tool that does not calculate: the formula has no cached value.
  sheet.addRow(['P3', 'Grace Hopper', 'grace@example.com', new Date('1906-12-09T00:00:00Z'), { formula: 'B4*2' }]);
  sheet.addRow([
    'P4',
    'Edsger Dijkstra',
    'edsger@example.com',
    new Date('1930-05-11T00:00:00Z'),
    { formula: 'SUM(E2:E2)', result: 98.5 },
  ]);
  sheet.getColumn(4).numFmt = 'dd/mm/yyyy';
});

await workbook('merged-header.xlsx', (wb) => {
  const sheet = wb.addWorksheet('People');
  sheet.addRow(['ID', 'Person', null, 'Born', 'Score']);
  sheet.mergeCells('B1:C1');
  sheet.addRow(['P1', 'Ada Lovelace', 'ada@example.com', new Date('1815-12-10T00:00:00Z'), 98.5]);
});

await workbook('excel-dates.xlsx', (wb) => {
  const sheet = wb.addWorksheet('People');
  sheet.addRow(peopleHeader);
  sheet.addRow(['P1', 'Ada', 'ada@example.com', new Date('1990-02-01T00:00:00Z'), 1]);
  // The same date typed into a cell with no date format: Excel keeps the serial number.
  sheet.addRow(['P2', 'Alan', 'alan@example.com', 32905, 2]);
  // And as text, the way a sender pasted it.
  sheet.addRow(['P3', 'Grace', 'grace@example.com', '01/02/1990', 3]);
  sheet.getCell('D2').numFmt = 'dd/mm/yyyy';
});

console.log(`corpus written under ${DIR}`);
