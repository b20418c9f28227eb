/**
 * Writes the shipped sample files under samples/files/<source>/ (run: `npx tsx scripts/generate-file-samples.ts`).
 * Everything is fixed data, and the XLSX is written with the clock frozen, so a rerun reproduces the committed files.
 * The files carry the surprises real senders produce: a BOM, Windows-1252, semicolons, pipes, a title above the
 * header, formulas, dates as Excel dates, and a few bad rows that ingestion rejects with a reason.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mock } from 'node:test';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { SAMPLE_PEOPLE, type SamplePerson } from '../lib/core/samples/people.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'files');

function write(source: string, name: string, content: string | Uint8Array): void {
  const path = join(ROOT, source, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const csv = (rows: readonly (readonly string[])[], delimiter = ',', eol = '\r\n') =>
  rows
    .map((row) =>
      row
        .map((v) => (v.includes(delimiter) || v.includes('"') || v.includes('\n') ? `"${v.replaceAll('"', '""')}"` : v))
        .join(delimiter),
    )
    .join(eol) + eol;

/** Windows-1252 bytes of text that only uses Latin-1 letters and the euro sign. */
function windows1252(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes[i] = code === 0x20ac ? 0x80 : code <= 0xff ? code : 0x3f;
  }
  return bytes;
}

// ---------------------------------------------------------------- shop

const FIRST = ['Ava', 'Ben', 'Chloe', 'Dev', 'Ella', 'Finn', 'Grace', 'Harry', 'Isla', 'Jack'];
const LAST = ['Patel', "O'Brien", 'Jones', 'Nowak', 'Evans', 'Murphy', 'Clarke', 'Singh', 'Walsh', 'Hughes'];

/** The sample person a source's row with this id belongs to (lib/core/samples/people.ts), if any. */
function personWith(id: (person: SamplePerson) => string | undefined, value: string): SamplePerson | undefined {
  return SAMPLE_PEOPLE.find((person) => id(person)?.toLowerCase() === value.toLowerCase());
}

function shopCustomers(): void {
  const rows: string[][] = [
    ['Customer ID', 'First Name', 'Last Name', 'Email', 'Phone', 'Country', 'Signed Up', 'Marketing Opt-In'],
  ];
  for (let i = 0; i < 20; i++) {
    const first = FIRST[i % 10] as string;
    const last = LAST[(i * 3) % 10] as string;
    const id = `C${String(10001 + i)}`;
    const email = `${first}.${last.replace("'", '')}${i}@example.com`.toLowerCase();
    const country = ['UK', 'United Kingdom', 'Ireland', ''][i % 4] as string;
    const day = String((i % 28) + 1).padStart(2, '0');
    // Some customers are people the other sources know too, with the e-mail as they typed it here.
    const person = personWith((p) => p.shop?.customer_id, id);
    rows.push([
      i % 5 === 0 ? ` ${id.toLowerCase()} ` : id,
      (person?.first_name ?? first).toLowerCase(),
      person?.last_name ?? last,
      person?.shop?.email ?? ` ${email.toUpperCase()}`,
      person?.shop?.phone ?? `07700 900${String(100 + i)}`,
      country,
      `${day}/10/2026`,
      i % 3 === 0 ? 'Y' : 'N',
    ]);
  }
  // Two rows a person would fix: an e-mail without a domain, and a date that is not in the calendar.
  rows.push(['C10021', 'Omar', 'Farouk', 'omar.farouk@', '', 'UK', '03/11/2026', 'N']);
  rows.push(['C10022', 'Lily', 'Reed', 'lily.reed@example.com', '', 'UK', '31/11/2026', 'Y']);
  write('shop_customers', 'customers_2026-11-16.csv', csv(rows));
}

function shopSales(): void {
  const rows: string[][] = [
    ['Order ID', 'Customer ID', 'Order Date', 'SKU', 'Qty', 'Unit Price', 'Line Total', 'Currency'],
  ];
  const skus = [
    ['MUG-01', '8.50'],
    ['TEE-M', '15.00'],
    ['CAP-RED', '12.25'],
    ['BOOK-3', '19.99'],
  ] as const;
  for (let i = 0; i < 30; i++) {
    const [sku, price] = skus[i % 4] as readonly [string, string];
    const qty = (i % 3) + 1;
    const total = (Number(price) * qty).toFixed(2);
    const hour = String(8 + (i % 12)).padStart(2, '0');
    rows.push([
      `O${String(50001 + Math.floor(i / 2))}`,
      `c${String(10001 + (i % 20))}`,
      `2026-11-${String(10 + (i % 6)).padStart(2, '0')} ${hour}:${String((i * 7) % 60).padStart(2, '0')}`,
      sku.toLowerCase(),
      String(qty),
      price,
      total,
      i % 7 === 0 ? '€' : 'GBP',
    ]);
  }
  write('shop_sales', 'sales_2026-11-16.csv', csv(rows));
  // The shop's new platform renamed its columns without warning: no mapping version knows this header yet.
  const renamed = [['OrderNumber', 'CustomerRef', 'OrderedAt', 'Sku', 'Quantity', 'Price', 'Total', 'Currency']];
  renamed.push(...rows.slice(1, 6).map((row) => [...row]));
  write('shop_sales', 'sales_2026-11-17.csv', csv(renamed));
}

// ---------------------------------------------------------------- events (XLSX)

async function eventRegistrations(): Promise<void> {
  mock.timers.enable({ apis: ['Date'], now: new Date('2026-11-16T09:00:00Z') });
  try {
    const workbook = new ExcelJS.Workbook();
    workbook.creator = 'dap sample generator';
    workbook.created = new Date('2026-11-16T09:00:00Z');
    workbook.modified = new Date('2026-11-16T09:00:00Z');
    const notes = workbook.addWorksheet('Notes');
    notes.addRow(['Registrations for the autumn programme. Data is on the Registrations sheet.']);
    const sheet = workbook.addWorksheet('Registrations');
    sheet.addRow(['Autumn programme 2026: registrations']);
    sheet.mergeCells('A1:K1');
    sheet.addRow([]);
    sheet.addRow([
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
    ]);
    const events = [
      ['Data Day Leeds', '2026-11-20'],
      ['Charity Finance Forum', '2026-11-27'],
      ['Digital Skills Workshop', '2026-12-04'],
    ] as const;
    const prices: Record<string, number> = { standard: 45, concession: 20, speaker: 0, vip: 95 };
    const types = ['Standard', 'Concession', 'standard', 'VIP', 'Speaker'];
    for (let i = 0; i < 24; i++) {
      const [event, date] = events[i % 3] as readonly [string, string];
      const type = types[i % 5] as string;
      const id = `R${String(7001 + i)}`;
      // Some registrations are people the other sources know too, with the e-mail as they typed it here.
      const person = personWith((p) => p.registration?.registration_id, id);
      const first = person?.first_name ?? (FIRST[(i + 3) % 10] as string);
      const row = sheet.addRow([
        id,
        event,
        new Date(`${date}T00:00:00Z`),
        first,
        person?.last_name ?? LAST[(i + 5) % 10],
        person?.registration?.email ?? `${first.toLowerCase()}${i}@charity.example.org`,
        ['Helping Hands Trust', 'Northern Arts', 'Green Futures CIC', 'St. Mary School'][i % 4],
        type,
        (i % 2) + 1,
        null,
        new Date(Date.UTC(2026, 9, 1 + i, 9 + (i % 8), (i * 13) % 60)),
      ]);
      const price = prices[type.toLowerCase()] ?? 0;
      // The fee is a formula, saved with the value Excel calculated (exceljs drops a cached 0, so free tickets get 0).
      row.getCell(10).value = price === 0 ? 0 : { formula: `I${row.number}*${price}`, result: ((i % 2) + 1) * price };
    }
    // A row someone typed by hand: the ticket type is not one the events team sells.
    sheet.addRow([
      'R7025',
      'Data Day Leeds',
      new Date('2026-11-20T00:00:00Z'),
      'Noor',
      'Ali',
      'noor@example.org',
      'Self',
      'Early bird',
      1,
      30,
      new Date('2026-10-30T12:00:00Z'),
    ]);
    sheet.getColumn(3).numFmt = 'dd/mm/yyyy';
    sheet.getColumn(11).numFmt = 'dd/mm/yyyy hh:mm';
    const buffer = await workbook.xlsx.writeBuffer();
    write('event_registrations', 'registrations_autumn_2026.xlsx', new Uint8Array(buffer));
  } finally {
    mock.timers.reset();
  }
}

// ---------------------------------------------------------------- prospects: three senders

function prospects(): void {
  const north = [
    ['Organisation Name', 'Contact Name', 'Contact Email', 'Postcode', 'Employees', 'Sector'],
    ['Helping  Hands Trust', 'maria lopez', 'Maria@HelpingHands.example.org', 'ls1 4ap', '1,250', 'Charity'],
    ['Northern Arts', 'tom reid', 'tom.reid@northernarts.example', 'ne1 7rr', '85', 'Arts'],
    ['Dales Housing', 'amy chen', 'amy@dales.example', 'bd23 1ua', '430', 'Housing'],
    ['Moor Care Ltd', 'sam ford', 'not an email', 'hg1 2ab', '60', 'Health'],
  ];
  write('prospect_organisations', 'prospects_north_2026-11.csv', `\uFEFF${csv(north)}`);

  const south = [
    ['Organisation', 'Contact first name', 'Contact surname', 'E-mail', 'Post code', 'Staff', 'Industry'],
    ['Café Société CIC', 'josé', 'garcía', 'jose@cafesociete.example', 'bn1 1aa', '12', 'Hospitality'],
    ['Südwest Energy Ltd', 'renée', 'müller', 'renee@sudwest.example', 'bs1 5tr', '2.400', 'Energy'],
    ['Coastal Trust', 'zoë', 'smith', 'zoe@coastal.example', 'pl1 2ab', '75', 'Charity'],
  ];
  write('prospect_organisations', 'prospects_south_2026-11.csv', windows1252(csv(south, ';')));

  const wales = [
    ['Company', 'Sector Code', 'Contact', 'Email Address', 'Postcode / Region', 'Headcount'],
    ['Ysgol Glan Môr', 'EDU', 'Rhys Evans', 'rhys@glanmor.example', 'CF10 1AA / South Wales', '140'],
    ['Bwrdd Iechyd Gogledd', 'HLT', 'Ffion Jones', 'ffion@bihg.example', 'LL57 2PW / North Wales', '9800'],
    ['Menter Môn', 'CHY', 'Dafydd Roberts', 'dafydd@menter.example', 'LL77 7LR', '35'],
    ['Siop Lyfrau', 'BKS', 'Elin Hughes', 'elin@siop.example', 'SA1 3AB / West Wales', '4'],
  ];
  write('prospect_organisations', 'prospects_wales_2026-11.csv', csv(wales, '|', '\n'));
}

// ---------------------------------------------------------------- CRM snapshots

function crmContacts(): void {
  const header = [
    'ContactId',
    'FirstName',
    'LastName',
    'EmailAddress',
    'Telephone',
    'AccountName',
    'Status',
    'ModifiedOn',
  ];
  const week1 = [
    ['c001', 'Ava', 'Patel', 'ava.patel@example.com', '0113 496 0001', 'Helping Hands Trust', 'Active', '2026-10-02'],
    ['c002', 'Jane', 'Doe', 'jane.doe@example.com', '0113 496 0002', 'Northern Arts', 'Active', '2026-10-05'],
    ['c003', 'Chloe', 'Nowak', 'chloe.nowak@example.com', '', 'Dales Housing', 'Active', '2026-10-07'],
    ['c004', 'Dev', 'Evans', 'dev.evans@example.com', '0113 496 0004', 'Moor Care Ltd', 'Inactive', '2026-09-30'],
    ['c005', 'Ella', 'Murphy', 'ella@old-domain.example', '0113 496 0005', 'Coastal Trust', 'Active', '2026-10-11'],
    ['c006', 'Finn', 'Clarke', 'finn.clarke@example.com', '', 'Café Société CIC', 'Active', '2026-10-12'],
    ['c007', 'Grace', 'Singh', 'grace.singh@example.com', '0113 496 0007', 'Green Futures CIC', 'Active', '2026-10-15'],
    [
      'c008',
      'Harry',
      'Walsh',
      'harry.walsh@example.com',
      '0113 496 0008',
      'Northern Arts',
      'Do Not Contact',
      '2026-10-20',
    ],
    ['c009', 'Isla', 'Hughes', 'isla.hughes@example.com', '', 'Menter Môn', 'Active', '2026-10-21'],
    ['c010', 'Jack', "O'Brien", 'jack.obrien@example.com', '0113 496 0010', 'Siop Lyfrau', 'Active', '2026-10-28'],
  ];
  write('crm_contacts', 'crm_contacts_2026-11-09.csv', csv([header, ...week1]));
  // A week later: c003 is gone (delete), c005 changed e-mail and c007 went inactive (updates), c011 and c012 are new.
  const week2 = week1
    .filter((row) => row[0] !== 'c003')
    .map((row) => {
      if (row[0] === 'c005')
        return [...row.slice(0, 3), 'ella.murphy@coastal.example', ...row.slice(4, 7), '2026-11-12'];
      if (row[0] === 'c007') return [...row.slice(0, 6), 'Inactive', '2026-11-13'];
      return row;
    });
  week2.push([
    'c011',
    'Kai',
    'Brown',
    'kai.brown@example.com',
    '0113 496 0011',
    'Coastal Trust',
    'Active',
    '2026-11-10',
  ]);
  week2.push(['c012', 'Lily', 'Reed', 'lily.reed@example.com', '', 'Helping Hands Trust', 'Active', '2026-11-14']);
  write('crm_contacts', 'crm_contacts_2026-11-16.csv', csv([header, ...week2]));
}

shopCustomers();
shopSales();
await eventRegistrations();
prospects();
crmContacts();
console.log(`sample files written under ${ROOT}`);
