import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { StaticSecretSource } from '../../../lib/core/connectors/secrets.ts';
import { type ExtractDeps, extractSource } from '../../../lib/core/extract/extract.ts';
import { extractStateKey, promotionKey } from '../../../lib/core/extract/extract-state.ts';
import { type DatabaseSource, databaseSourceSchema } from '../../../lib/core/model/database-source-schema.ts';
import type { ObjectStore, SqlValue } from '../../../lib/core/ports.ts';
import { FileControlStore } from '../../../lib/engines/local/file-control-store.ts';
import { FolderObjectStore } from '../../../lib/engines/local/folder-object-store.ts';
import { PgSourceDatabases } from '../../../lib/engines/postgres/pg-source-databases.ts';
import {
  type SourceDatabaseServer,
  sampleDatabaseSql,
  startSourceDatabase,
} from '../../../lib/local/source-database-server.ts';

/**
 * The extract engine against real PostgreSQL servers on the wire protocol (PGlite behind pglite-socket), seeded with
 * the shipped timetable samples: two sources, the integrity failures, a crash resumed, incremental reads, promotion.
 */

const REPO = join(import.meta.dirname, '../../..');
const shipped = databaseSourceSchema.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../config/sources/databases/timetable.json'), 'utf8')),
);
/** Pages of two rows, so every table spans pages and keyset pagination is exercised. */
const source: DatabaseSource = { ...shipped, page_size: 2 };
/** Staff read by change (`updated_at`, five minutes of overlap) instead of whole. */
const incremental: DatabaseSource = {
  ...source,
  tables: source.tables.map((t) =>
    t.name === 'staff' ? { ...t, mode: 'incremental', cursor: { column: 'updated_at', overlap_seconds: 300 } } : t,
  ),
};

interface Harness {
  readonly north: SourceDatabaseServer;
  readonly south: SourceDatabaseServer;
  readonly dir: string;
  readonly store: FolderObjectStore;
  readonly control: FileControlStore;
  deps(overrides?: Partial<ExtractDeps>): ExtractDeps;
  /** The rows readers see: the promoted extract of each snapshot date, by table. */
  promotedRows(table: string): Promise<Record<string, SqlValue>[]>;
  /** The rows of one extract's pages of a table. */
  promotedRowsOf(date: string, extractId: string, table: string): Promise<Record<string, SqlValue>[]>;
  close(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const north = await startSourceDatabase(sampleDatabaseSql(REPO, 'timetable', 'north'));
  const south = await startSourceDatabase(sampleDatabaseSql(REPO, 'timetable', 'south'));
  const dir = await mkdtemp(join(tmpdir(), 'dap-extract-'));
  const store = new FolderObjectStore(join(dir, 'buckets'));
  const control = new FileControlStore(join(dir, 'control'));
  let clock = Date.parse('2026-12-06T02:00:00Z');
  return {
    north,
    south,
    dir,
    store,
    control,
    deps: (overrides = {}) => ({
      store,
      rawBucket: 'raw',
      control,
      secrets: new StaticSecretSource({ TIMETABLE_NORTH_DB: north.url, TIMETABLE_SOUTH_DB: south.url }),
      databases: new PgSourceDatabases(),
      now: () => {
        clock += 1000;
        return new Date(clock);
      },
      ...overrides,
    }),
    promotedRows: async (table) => {
      const bytes = await store.get('raw', promotionKey('timetable'));
      if (!bytes) return [];
      const promotion = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
        snapshots: Record<string, { extract_id: string }>;
      };
      const rows: Record<string, SqlValue>[] = [];
      for (const [date, { extract_id }] of Object.entries(promotion.snapshots)) {
        const prefix = `databases/timetable/${table}/snapshot_date=${date}/${extract_id}/`;
        for (const key of await store.list('raw', prefix)) {
          const text = gunzipSync((await store.get('raw', key)) ?? new Uint8Array()).toString('utf8');
          for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line));
        }
      }
      return rows;
    },
    promotedRowsOf: async (date, extractId, table) => {
      const rows: Record<string, SqlValue>[] = [];
      for (const key of await store.list('raw', `databases/timetable/${table}/snapshot_date=${date}/${extractId}/`)) {
        const text = gunzipSync((await store.get('raw', key)) ?? new Uint8Array()).toString('utf8');
        for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line));
      }
      return rows;
    },
    close: async () => {
      await north.stop();
      await south.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Fails every put after `limit` of them: a crash between pages. */
function crashingStore(inner: ObjectStore, limit: number): ObjectStore {
  let puts = 0;
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'put') {
        return async (bucket: string, key: string, body: string | Uint8Array) => {
          if (++puts > limit) throw new Error('simulated crash');
          return target.put(bucket, key, body);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const keyOf = (row: Record<string, SqlValue>, ...columns: string[]) => columns.map((c) => String(row[c])).join('/');

describe('database extract', () => {
  test('a consistent extract of two sources, every row tagged and promoted', async () => {
    const h = await harness();
    try {
      const result = await extractSource(source, h.deps());
      assert.equal(result.status, 'promoted', JSON.stringify(result.problems));
      assert.deepEqual(result.problems, []);
      // north: 3 departments, 4 staff, 5 rooms (one without department); south: 2, 3, 2. Filter capacity > 0 keeps all.
      assert.equal(result.rows, 3 + 4 + 5 + 2 + 3 + 2);
      const rooms = await h.promotedRows('rooms');
      assert.deepEqual(rooms.map((r) => `${r.source_id}:${keyOf(r, 'site', 'room_code')}`).sort(), [
        'north:annex/H010',
        'north:annex/H011',
        'north:main/M101',
        'north:main/M102',
        'north:main/P001',
        'south:south/C1',
        'south:south/L2',
      ]);
      const staff = await h.promotedRows('staff');
      const ada = staff.find((r) => r.staff_id === 101);
      assert.equal(ada?.salary, '52000.00', 'numeric stays exact text');
      assert.equal(ada?.extract_id, result.extract_id);
      assert.match(String(ada?.extracted_at), /^2026-12-06 02:00:\d\d\.000$/);
      assert.ok(staff.every((r) => r.source_id === 'north' || r.source_id === 'south'));
      const state = await h.control.get<{ active?: unknown; last?: { status: string } }>(extractStateKey('timetable'));
      assert.equal(state?.value.active, undefined);
      assert.equal(state?.value.last?.status, 'promoted');
    } finally {
      await h.close();
    }
  });

  test('a room whose department was deleted fails the reference check: nothing promoted, keys named', async () => {
    const h = await harness();
    try {
      await h.north.exec('DELETE FROM departments WHERE department_id = 3');
      const result = await extractSource(source, h.deps());
      assert.equal(result.status, 'failed');
      const rooms = result.problems.find((p) => p.table === 'rooms');
      assert.equal(rooms?.check, 'reference');
      assert.equal(rooms?.source_id, 'north');
      assert.deepEqual(rooms?.keys, ['site=annex, room_code=H010']);
      assert.match(rooms?.message ?? '', /department_id not found in departments\(department_id\)/);
      const staff = result.problems.find((p) => p.table === 'staff');
      assert.deepEqual(staff?.keys, ['staff_id=104']);
      assert.equal(await h.store.get('raw', promotionKey('timetable')), undefined, 'nothing promoted');
      // Its report, beside its pages, holds every problem with its keys, and the rows against count(*).
      assert.equal(result.report, `databases/timetable/_reports/${result.extract_id}.json`);
      const report = JSON.parse(Buffer.from((await h.store.get('raw', result.report)) ?? '').toString('utf8'));
      assert.equal(report.status, 'failed');
      assert.deepEqual(report.problems, result.problems);
      assert.deepEqual(report.tables['north/departments'], {
        after: [2],
        pages: 1,
        rows: 2,
        done: true,
        expected_rows: 2,
        cursor: null,
      });
      // The next run starts a new extract, and promotes once the source is fixed.
      await h.north.exec("INSERT INTO departments VALUES (3, 'History', now())");
      const again = await extractSource(source, h.deps());
      assert.equal(again.status, 'promoted');
      assert.notEqual(again.extract_id, result.extract_id);
      assert.equal(again.resumed, false);
    } finally {
      await h.close();
    }
  });

  test('a blank consolidation key fails not_blank and the previous promoted extract stays what readers see', async () => {
    const h = await harness();
    try {
      const first = await extractSource(source, h.deps());
      assert.equal(first.status, 'promoted');
      const before = await h.promotedRows('staff');
      await h.south.exec("UPDATE staff SET email = '  ', updated_at = now() WHERE staff_id = 9");
      const second = await extractSource(source, h.deps());
      assert.equal(second.status, 'failed');
      assert.deepEqual(
        second.problems.map((p) => [p.source_id, p.table, p.check, p.keys]),
        [['south', 'staff', 'not_blank', ['staff_id=9']]],
      );
      assert.deepEqual(await h.promotedRows('staff'), before, 'readers still see the first extract');
    } finally {
      await h.close();
    }
  });

  test('a crash mid extract resumes from the last page written, with no page twice', async () => {
    const h = await harness();
    try {
      await assert.rejects(extractSource(source, h.deps({ store: crashingStore(h.store, 4) })), /simulated crash/);
      const state = await h.control.get<{ active?: { tables: Record<string, { pages: number }> } }>(
        extractStateKey('timetable'),
      );
      const written = Object.values(state?.value.active?.tables ?? {}).reduce((sum, t) => sum + t.pages, 0);
      assert.equal(written, 4, 'the checkpoint holds the four pages that landed');
      const resumed = await extractSource(source, h.deps());
      assert.equal(resumed.status, 'promoted');
      assert.equal(resumed.resumed, true);
      const rooms = await h.promotedRows('rooms');
      const keys = rooms.map((r) => `${r.source_id}:${keyOf(r, 'site', 'room_code')}`);
      assert.equal(new Set(keys).size, keys.length, 'no row twice');
      assert.equal(keys.length, 7);
      const staff = await h.promotedRows('staff');
      assert.equal(staff.length, 7);
    } finally {
      await h.close();
    }
  });

  test('rows added behind a resumed extract fail the row count check: nothing promoted, the next run starts over', async () => {
    const h = await harness();
    try {
      // The first page of north's departments (1, 2) lands, then the run dies.
      await assert.rejects(extractSource(source, h.deps({ store: crashingStore(h.store, 1) })), /simulated crash/);
      // A department is added below the checkpoint's key while no snapshot is open: the resumed run cannot see it.
      await h.north.exec("INSERT INTO departments VALUES (0, 'Classics', now())");
      const resumed = await extractSource(source, h.deps());
      assert.equal(resumed.status, 'failed');
      assert.equal(resumed.resumed, true);
      assert.deepEqual(
        resumed.problems.map((p) => [p.source_id, p.table, p.check, p.failing_rows]),
        [['north', 'departments', 'row_count', 1]],
      );
      assert.match(resumed.problems[0]?.message ?? '', /^3 rows extracted, but count\(\*\) in the snapshot is 4/);
      assert.equal(await h.store.get('raw', promotionKey('timetable')), undefined, 'nothing promoted');
      const fresh = await extractSource(source, h.deps());
      assert.equal(fresh.status, 'promoted');
      assert.equal(fresh.resumed, false);
      assert.equal(fresh.rows, 20);
    } finally {
      await h.close();
    }
  });

  test('an incremental table reads only the rows changed since the last extract (with the overlap)', async () => {
    const h = await harness();
    try {
      const first = await extractSource(incremental, h.deps({ now: () => new Date('2026-12-05T02:00:00Z') }));
      assert.equal(first.status, 'promoted');
      await h.north.exec(
        "UPDATE staff SET full_name = 'Ada King', updated_at = '2026-12-01 00:00:00+00' WHERE staff_id = 101",
      );
      await h.south.exec(
        "INSERT INTO staff VALUES (12, 'katherine.johnson@example.org', 'Katherine Johnson', 10, 57000, '2026-12-02 00:00:00+00')",
      );
      // Changed within the overlap (five minutes before south's previous high point): read again.
      await h.south.exec("UPDATE staff SET updated_at = '2026-10-23 13:58:00+00' WHERE staff_id = 8");
      const second = await extractSource(incremental, h.deps({ now: () => new Date('2026-12-06T02:00:00Z') }));
      assert.equal(second.status, 'promoted');
      // Read from the sources: 101, 12 changed; 8 moved into the overlap; 104 and 9 hold each source's previous high
      // point (read from it on). Five rows, of 8 in the two databases.
      assert.equal(second.rows, 5 + 5 + 7);
      // The promoted snapshot is whole: the rows not read again are carried from the first extract, under the second.
      const staff = (await h.promotedRows('staff')).filter((r) => r.extract_id === second.extract_id);
      assert.deepEqual(staff.map((r) => `${r.source_id}:${r.staff_id}`).sort(), [
        'north:101',
        'north:102',
        'north:103',
        'north:104',
        'south:12',
        'south:7',
        'south:8',
        'south:9',
      ]);
      assert.equal(staff.find((r) => r.staff_id === 101)?.full_name, 'Ada King');
      assert.equal(
        new Set(staff.map((r) => `${r.source_id}:${r.extract_row}`)).size,
        8,
        'extract_row unique per instance',
      );
      const carried = staff.find((r) => r.staff_id === 102);
      assert.equal(
        carried?.extracted_at,
        (await h.promotedRowsOf(first.snapshot_date, first.extract_id, 'staff')).find((r) => r.staff_id === 102)
          ?.extracted_at,
      );
      // Snapshot tables are read whole again.
      const departments = (await h.promotedRows('departments')).filter((r) => r.extract_id === second.extract_id);
      assert.equal(departments.length, 5);
    } finally {
      await h.close();
    }
  });

  test('a run near its time limit stops between pages as partial; the next continues it to the same rows', async () => {
    const h = await harness();
    try {
      let pagesLeft = 3;
      const short = await extractSource(source, h.deps({ remainingMs: () => (pagesLeft-- > 0 ? 600_000 : 10_000) }));
      assert.equal(short.status, 'partial');
      assert.equal(short.pages, 3);
      assert.equal(await h.store.get('raw', promotionKey('timetable')), undefined, 'nothing promoted yet');
      const rest = await extractSource(source, h.deps());
      assert.equal(rest.status, 'promoted');
      assert.equal(rest.resumed, true);
      assert.equal(rest.extract_id, short.extract_id);
      assert.equal(rest.rows, 19);
      const staff = await h.promotedRows('staff');
      assert.equal(new Set(staff.map((r) => r.row_key)).size, 7);
    } finally {
      await h.close();
    }
  });

  test('two extracts of one source at once: one stops on the checkpoint conflict, naming it; the source is not left half', async () => {
    const h = await harness();
    try {
      const outcomes = await Promise.allSettled([extractSource(source, h.deps()), extractSource(source, h.deps())]);
      const stopped = outcomes.filter((o) => o.status === 'rejected');
      assert.ok(stopped.length >= 1, JSON.stringify(outcomes));
      for (const o of stopped) {
        assert.equal((o as PromiseRejectedResult).reason?.name, 'ExtractConflictError');
        assert.match(
          String((o as PromiseRejectedResult).reason?.message),
          /^another extract of timetable changed its checkpoint \(database\/timetable\/extract\)/,
        );
      }
      // Whatever was left in progress, the next run ends promoted with every row once.
      const last = await extractSource(source, h.deps());
      const promoted = last.status === 'promoted' ? last : undefined;
      assert.ok(promoted || outcomes.some((o) => o.status === 'fulfilled' && o.value.status === 'promoted'));
      const rooms = await h.promotedRows('rooms');
      assert.equal(new Set(rooms.map((r) => r.row_key)).size, rooms.length);
      assert.equal(rooms.length, 7);
    } finally {
      await h.close();
    }
  });

  test('filters travel as parameters: a filter value that looks like SQL is only a value', async () => {
    const h = await harness();
    try {
      const hostile: DatabaseSource = {
        ...source,
        tables: source.tables.map((t) =>
          t.name === 'rooms' ? { ...t, filters: [{ column: 'room_code', op: '<>', value: "x' OR '1'='1" }] } : t,
        ),
      };
      const result = await extractSource(hostile, h.deps());
      assert.equal(result.status, 'promoted');
      assert.equal((await h.promotedRows('rooms')).length, 7);
      const filtered: DatabaseSource = {
        ...source,
        tables: source.tables.map((t) =>
          t.name === 'rooms' ? { ...t, filters: [{ column: 'capacity', op: '>=', value: 30 }] } : t,
        ),
      };
      const second = await extractSource(filtered, h.deps());
      const rooms = (await h.promotedRows('rooms')).filter((r) => r.extract_id === second.extract_id);
      assert.deepEqual(rooms.map((r) => r.room_code).sort(), ['C1', 'M101', 'P001']);
    } finally {
      await h.close();
    }
  });
});
