import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { SeededRandom } from '../../lib/core/samples/random.ts';
import { FILES_SEED } from './files-seed.ts';

export { FILES_SEED };

/** The header of the shipped `event_registrations` workbook source (mapping v1), below two title rows. */
export const REGISTRATIONS_HEADER = [
  'Registration ID',
  'Event',
  'Event Date',
  'First Name',
  'Last Name',
  'Email',
  'Organisation',
  'Ticket Type',
  'Tickets',
  'Fee (£)',
  'Registered At',
] as const;

/**
 * Seeded synthetic files for the shipped file sources: web-shop order lines (`shop_sales`, CSV, mapping v2) and
 * event registrations (`event_registrations`, XLSX with a title above the header on the Registrations sheet). Every
 * row is valid, so rows read = rows loaded and the figures measure the loading path, not the quarantine path.
 */

const SKUS = ['MUG-01', 'TEE-M', 'TEE-L', 'CAP-RED', 'BOOK-3', 'BAG-02', 'PEN-10', 'HAT-01'];
const CURRENCIES = ['GBP', 'GBP', 'GBP', 'EUR', '£', '€'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Writes about `targetBytes` of shop_sales CSV; returns rows and bytes written. */
export async function writeSalesCsv(
  path: string,
  targetBytes: number,
  seed = FILES_SEED,
): Promise<{ rows: number; bytes: number }> {
  const random = new SeededRandom(seed);
  const out = createWriteStream(path);
  const header = 'Order ID,Customer ID,Order Date,SKU,Qty,Unit Price,Line Total,Currency\n';
  let bytes = Buffer.byteLength(header);
  let rows = 0;
  out.write(header);
  while (bytes < targetBytes) {
    const lines: string[] = [];
    for (let i = 0; i < 10_000 && bytes < targetBytes; i++) {
      const quantity = random.int(1, 5);
      const pence = random.int(150, 9999);
      const line = `O${5_000_000 + rows},c${random.int(10_000, 99_999)},2026-${pad(random.int(1, 12))}-${pad(random.int(1, 28))} ${pad(random.int(0, 23))}:${pad(random.int(0, 59))},${random.pick(SKUS).toLowerCase()},${quantity},${(pence / 100).toFixed(2)},${((pence * quantity) / 100).toFixed(2)},${random.pick(CURRENCIES)}\n`;
      lines.push(line);
      bytes += Buffer.byteLength(line);
      rows++;
    }
    if (!out.write(lines.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { rows, bytes: statSync(path).size };
}

const EVENTS = [
  'Data Day Leeds',
  'Charity Finance Forum',
  'Volunteer Summit',
  'Digital Skills Day',
  'Trustee Workshop',
];
const FIRST = ['Dev', 'Ella', 'Sam', 'Priya', 'Tom', 'Aisha', 'Kwame', 'Olivia', 'James', 'Fatima'];
const LAST = ['Murphy', 'Clarke', 'Patel', 'Khan', 'Jones', 'Okafor', 'Evans', 'Brown'];
const ORGS = ['Helping Hands Trust', 'Northern Arts', 'Coastal Care', 'City Food Bank', 'Green Futures'];
const TICKETS: readonly (readonly [string, number])[] = [
  ['Standard', 45],
  ['Concession', 20],
  ['Speaker', 0],
  ['VIP', 90],
];

/**
 * Writes an event_registrations workbook with exceljs's streaming writer until the rows written reach
 * `rows`; returns rows and the file's size.
 */
export async function writeRegistrationsXlsx(
  path: string,
  rows: number,
  seed = FILES_SEED,
): Promise<{ rows: number; bytes: number }> {
  const random = new SeededRandom(seed);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  const notes = workbook.addWorksheet('Notes');
  notes.addRow(['Registrations for the autumn programme. Data is on the Registrations sheet.']).commit();
  notes.commit();
  const sheet = workbook.addWorksheet('Registrations');
  sheet.addRow(['Autumn programme 2026: registrations']).commit();
  sheet.addRow([]).commit();
  sheet.addRow([...REGISTRATIONS_HEADER]).commit();
  for (let i = 0; i < rows; i++) {
    const first = random.pick(FIRST);
    const [ticket, price] = random.pick(TICKETS);
    const tickets = random.int(1, 4);
    const row = sheet.addRow([
      `R${7_000_000 + i}`,
      random.pick(EVENTS),
      new Date(Date.UTC(2026, random.int(9, 11), random.int(1, 28))),
      first,
      random.pick(LAST),
      `${first.toLowerCase()}${i}@charity.example.org`,
      random.pick(ORGS),
      ticket,
      tickets,
      price * tickets,
      new Date(Date.UTC(2026, random.int(6, 9), random.int(1, 28), random.int(8, 20), random.int(0, 59))),
    ]);
    row.getCell(3).numFmt = 'dd/mm/yyyy';
    row.getCell(11).numFmt = 'dd/mm/yyyy hh:mm';
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
  return { rows, bytes: statSync(path).size };
}
