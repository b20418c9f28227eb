import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../../lib/config/loader.ts';
import { type ColumnType, parseColumnType } from '../../../lib/core/model/column-types.ts';
import { TXMA_SAMPLE_EMAILS } from '../../../lib/core/samples/people.ts';
import { SeededRandom } from '../../../lib/core/samples/random.ts';
import {
  DEFAULT_SAMPLE_OPTIONS,
  FILE_WITHOUT_FIELD,
  generateTxmaSamples,
  type SampleFile,
  type TxmaRecord,
  writeTxmaSamples,
} from '../../../lib/core/samples/txma.ts';
import { FolderObjectStore } from '../../../lib/engines/local/folder-object-store.ts';

const project = loadProject(fileURLToPath(new URL('../../..', import.meta.url)));
const samples = generateTxmaSamples();

function recordsOf(file: SampleFile): TxmaRecord[] {
  return file.body
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as TxmaRecord);
}
const records = samples.flatMap(recordsOf);

describe('SeededRandom', () => {
  test('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    assert.ok(draw(7).every((value) => value >= 0 && value < 1));
  });

  test('makes version 4 UUIDs', () => {
    assert.match(new SeededRandom(1).uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('generateTxmaSamples', () => {
  test('gives the same files for the same seed, and other files for another seed', () => {
    // Act
    const again = generateTxmaSamples({ seed: DEFAULT_SAMPLE_OPTIONS.seed });
    const other = generateTxmaSamples({ seed: DEFAULT_SAMPLE_OPTIONS.seed + 1 });

    // Assess
    assert.deepEqual(again, samples);
    assert.notDeepEqual(other, samples);
  });

  test('by default stays small enough for npm start: a few thousand records over several days', () => {
    const days = new Set(samples.map((file) => file.key.split('/').slice(2, 5).join('/')));
    assert.ok(records.length > DEFAULT_SAMPLE_OPTIONS.days * DEFAULT_SAMPLE_OPTIONS.eventsPerDay);
    assert.ok(records.length < 5000, `${records.length} records`);
    assert.ok(days.size >= DEFAULT_SAMPLE_OPTIONS.days, `${days.size} days`);
  });

  test('lays files out as Firehose does: txma/<event>/year=/month=/day=/<stream>-<date>-<hour>-<n>.json', () => {
    for (const file of samples) {
      const match = file.key.match(
        /^txma\/([a-z_]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/txma-audit-delivery-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d+)\.json$/,
      );
      assert.ok(match, file.key);
      const [, table, year, month, day, fileYear, fileMonth, fileDay] = match;
      assert.deepEqual([fileYear, fileMonth, fileDay], [year, month, day], file.key);
      assert.ok(project.rawTables.has(table ?? ''), `${table} is not a raw table in athena-scripts/raw_tables/`);
      for (const record of recordsOf(file)) assert.equal(record.event_name.toLowerCase(), table, file.key);
      assert.ok(file.body.endsWith('\n'));
    }
    const tables = new Set(samples.map((file) => file.key.split('/')[1]));
    const txmaTables = [...project.rawTables.values()].filter((t) => t.source === 'txma').map((t) => t.table);
    assert.deepEqual([...tables].sort(), txmaTables.sort(), 'every TxMA raw table gets sample files');
  });

  test('delivers some events twice unchanged and retries some with the same event_id and a later timestamp', () => {
    const byId = new Map<string, TxmaRecord[]>();
    for (const record of records) byId.set(record.event_id, [...(byId.get(record.event_id) ?? []), record]);
    const repeated = [...byId.values()].filter((copies) => copies.length > 1);
    const exact = repeated.filter(([first, ...rest]) =>
      rest.every((copy) => JSON.stringify(copy) === JSON.stringify(first)),
    );
    const retried = repeated.filter(([first, ...rest]) =>
      rest.some((copy) => copy.timestamp > (first?.timestamp ?? 0)),
    );

    assert.ok(exact.length > 0, 'no exact re-deliveries');
    assert.ok(retried.length > 0, 'no retries with a later timestamp');
  });

  test('leaves evidence out of errored passport checks, and out of one whole file', () => {
    const prefix = `txma/${FILE_WITHOUT_FIELD.event}/`;
    const files = samples.filter((file) => file.key.startsWith(prefix));
    const lacks = (record: TxmaRecord) => !(FILE_WITHOUT_FIELD.field in record.extensions);
    const [first, ...rest] = files;
    assert.ok(first);

    assert.ok(recordsOf(first).every(lacks), `${first.key} should lack ${FILE_WITHOUT_FIELD.field} in every record`);
    const later = rest.flatMap(recordsOf);
    assert.ok(later.some(lacks), 'some records in the other files should lack the field');
    assert.ok(
      later.some((record) => !lacks(record)),
      'most records in the other files should carry the field',
    );
  });

  test('uses only JSON keys the raw table declares, in their exact case (the local engine matches case-sensitively)', () => {
    for (const record of records) {
      const table = project.rawTables.get(record.event_name.toLowerCase());
      assert.ok(table);
      const declared = new Map([...table.columns, ...table.partition_columns].map((c) => [c.name, c.type]));
      for (const [key, value] of Object.entries(record)) {
        const type = declared.get(key);
        assert.ok(type, `${record.event_name}: "${key}" is not a column`);
        assertDeclared(parseColumnType(type), value, `${record.event_name}.${key}`);
      }
    }
  });

  test('gives the sample people (known to other sources) accounts, one user each, and changes nothing else', () => {
    // Act
    const anonymous = generateTxmaSamples({ people: [] }).flatMap(recordsOf);

    // Assess: the same events, only the addresses differ
    const withoutEmail = (record: TxmaRecord) => ({ ...record, user: { ...record.user, email: undefined } });
    assert.equal(anonymous.length, records.length);
    assert.deepEqual(anonymous.map(withoutEmail), records.map(withoutEmail));
    assert.ok(TXMA_SAMPLE_EMAILS.includes('jane.doe@example.com'));
    for (const email of TXMA_SAMPLE_EMAILS) {
      const theirs = records.filter((record) => record.user.email === email);
      const users = new Set(theirs.flatMap((record) => (record.user.user_id ? [record.user.user_id] : [])));
      assert.equal(users.size, 1, `${email}: ${[...users].join(', ')}`);
      assert.ok(
        theirs.some((record) => record.event_name === 'AUTH_CREATE_ACCOUNT'),
        `${email} never created an account`,
      );
      assert.ok(!anonymous.some((record) => record.user.email === email), `${email} is made up by chance too`);
    }
  });

  test('rejects options it cannot honour', () => {
    assert.throws(() => generateTxmaSamples({ startDate: '15/01/2024' }), RangeError);
    assert.throws(() => generateTxmaSamples({ days: 0 }), RangeError);
    assert.throws(() => generateTxmaSamples({ bufferHours: 5 }), RangeError);
    assert.throws(() => generateTxmaSamples({ retryRate: 2 }), RangeError);
    assert.throws(() => generateTxmaSamples({ people: ['not an address'] }), RangeError);
  });
});

describe('writeTxmaSamples', () => {
  test('puts every file into the bucket under its key', async () => {
    // Prepare
    const root = await mkdtemp(join(tmpdir(), 'dap-samples-'));
    const store = new FolderObjectStore(root);
    try {
      // Act
      const written = await writeTxmaSamples(store, 'raw', { days: 1, eventsPerDay: 50 });

      // Assess
      assert.deepEqual(await store.list('raw', 'txma/'), written.map((file) => file.key).sort());
      const first = written[0];
      assert.ok(first);
      assert.equal(new TextDecoder().decode(await store.get('raw', first.key)), first.body);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

/** Fails when a JSON value holds an object key the declared type does not have (struct fields only, not JSON text). */
function assertDeclared(type: ColumnType, value: unknown, at: string): void {
  if (value === null || value === undefined) return;
  if (type.kind === 'struct') {
    assert.ok(typeof value === 'object' && !Array.isArray(value), `${at}: expected an object`);
    const fields = new Map(type.fields.map((field) => [field.name, field.type]));
    for (const [key, inner] of Object.entries(value)) {
      const fieldType = fields.get(key);
      assert.ok(fieldType, `${at}: "${key}" is not a declared field (declared: ${[...fields.keys()].join(', ')})`);
      assertDeclared(fieldType, inner, `${at}.${key}`);
    }
  } else if (type.kind === 'array') {
    assert.ok(Array.isArray(value), `${at}: expected an array`);
    for (const item of value) assertDeclared(type.element, item, `${at}[]`);
  }
}
