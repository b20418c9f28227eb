import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { IngestBusyError, IngestFailedError } from '../../../lib/core/ingest/ingest-file.ts';

import { type LedgerEntry, ledgerKey } from '../../../lib/core/ingest/report.ts';
import type { ControlStore, ObjectStore } from '../../../lib/core/ports.ts';
import { BUCKETS, type Harness, harness, rawRows, T0 } from './harness.ts';

/**
 * A process that dies mid-file leaves whatever it wrote, and a ledger entry saying "in progress". The next attempt
 * must delete those leftovers and produce exactly what one clean run produces.
 */

class CrashError extends Error {
  constructor(what: string) {
    super(`simulated crash at ${what}`);
    this.name = 'CrashError';
  }
}

/** Everything stops working once `crashWhen` says so: no rollback, no ledger update, like a killed process. */
function dying<T extends object>(
  target: T,
  state: { dead: boolean },
  crashWhen: (method: string, args: unknown[]) => boolean,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (state.dead) return Promise.reject(new CrashError(`${String(property)} after the crash`));
        if (crashWhen(String(property), args)) {
          state.dead = true;
          return Promise.reject(new CrashError(String(property)));
        }
        return value.apply(object, args);
      };
    },
  });
}

const harnesses: Harness[] = [];
after(() => {
  for (const h of harnesses) h.cleanup();
});

function bigCsv(h: Harness): string {
  const path = join(h.dataDir, 'people-2000.csv');
  const lines = ['ID,Name,Email,Born,Score'];
  for (let i = 1; i <= 2000; i++) {
    // Every 100th row is invalid, so reject parts are interrupted too.
    const email = i % 100 === 0 ? 'broken' : `person${i}@example.com`;
    lines.push(`P${i},Person ${i},${email},${String((i % 28) + 1).padStart(2, '0')}/01/1990,${i % 100}.5`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Raw rows without what differs between any two runs by design (the attempt's id and start time). */
const comparable = (rows: Record<string, unknown>[]) =>
  rows.map(({ ingest_run_id: _run, ingested_at: _at, ...rest }) => rest);

async function cleanRun(): Promise<{ keys: string[]; rows: Record<string, unknown>[] }> {
  const h = harness();
  harnesses.push(h);
  const summary = await h.ingest(h.drop(bigCsv(h), 'people'), { partBytes: 16 * 1024 });
  assert.equal(summary.outcome, 'partially_loaded');
  return { keys: await h.folders.list(BUCKETS.raw, 'files/'), rows: comparable(await rawRows(h, 'people')) };
}

const scenarios = [
  {
    name: 'while writing raw staging parts',
    crashWhen: (method: string, args: unknown[]) => method === 'put' && String(args[1]).includes('part-00003'),
  },
  {
    name: 'while publishing parts to the raw table (some already visible)',
    crashWhen: (method: string, args: unknown[]) =>
      method === 'copy' && String((args[1] as { key: string }).key).endsWith('-00002.json.gz'),
  },
  {
    name: 'after publishing, while moving the original to the archive',
    crashWhen: (method: string, args: unknown[]) =>
      method === 'copy' && (args[1] as { bucket: string }).bucket === BUCKETS.archive,
  },
];

describe('interrupted ingestion, then rerun', () => {
  for (const scenario of scenarios) {
    test(`a crash ${scenario.name}: the rerun yields the same raw output as one clean run`, async () => {
      // Prepare
      const expected = await cleanRun();
      const h = harness();
      harnesses.push(h);
      const key = h.drop(bigCsv(h), 'people');
      const state = { dead: false };
      const store = dying<ObjectStore>(h.store, state, scenario.crashWhen);
      const control = dying<ControlStore>(h.control, state, () => false);

      // Act
      await assert.rejects(h.ingest(key, { store, control, partBytes: 16 * 1024 }), IngestFailedError);
      const leftover = await h.control.get<LedgerEntry>(ledgerKey(expected.rows[0]?.file_hash as string));
      const rerun = await h.ingest(key, { partBytes: 16 * 1024, now: () => new Date(T0.getTime() + 11 * 60_000) });

      // Assess
      assert.equal(leftover?.value.status, 'in_progress', 'the crash left the ledger in progress');
      assert.equal(rerun.outcome, 'partially_loaded');
      assert.equal(rerun.attempt, 2);
      assert.deepEqual(rerun.rows, { read: 2000, loaded: 1980, rejected: 20, invalid: 20, blank: 0, duplicate: 0 });
      assert.deepEqual(await h.folders.list(BUCKETS.raw, 'files/'), expected.keys);
      assert.deepEqual(comparable(await rawRows(h, 'people')), expected.rows);
      assert.deepEqual(await h.folders.list(BUCKETS.raw, '_staging/'), [], 'no staging parts are left');
      assert.deepEqual(await h.keys('landing'), []);
      assert.equal((await h.keys('archive')).length, 2, 'one original and its report');
      const rejectFiles = (await h.keys('quarantine')).filter((k) => k.includes('/rejects-'));
      assert.ok(
        rejectFiles.every((k) => k.includes('/attempt-2/')),
        'only the rerun’s rejects remain',
      );
    });
  }

  test('a crash the next day: the old partition is cleaned and the rows land under the new ingest date', async () => {
    // Prepare
    const h = harness();
    harnesses.push(h);
    const key = h.drop(bigCsv(h), 'people');
    const state = { dead: false };
    const store = dying<ObjectStore>(h.store, state, scenarios[1]?.crashWhen ?? (() => false));
    await assert.rejects(h.ingest(key, { store, control: dying(h.control, state, () => false), partBytes: 16 * 1024 }));
    const before = await h.folders.list(BUCKETS.raw, 'files/');

    // Act
    const rerun = await h.ingest(key, { partBytes: 16 * 1024, now: () => new Date(T0.getTime() + 86_400_000) });

    // Assess
    assert.ok(
      before.some((k) => k.includes('ingest_date=2026-11-16/')),
      'the crash left visible parts behind',
    );
    const after = await h.folders.list(BUCKETS.raw, 'files/');
    assert.ok(after.length > 0 && after.every((k) => k.includes('ingest_date=2026-11-17/')));
    assert.equal(rerun.rows.loaded, (await rawRows(h, 'people')).length);
  });

  test('while the crashed attempt’s lease is alive, the file is reported busy rather than ingested twice', async () => {
    // Prepare
    const h = harness();
    harnesses.push(h);
    const key = h.drop(bigCsv(h), 'people');
    const state = { dead: false };
    const store = dying<ObjectStore>(h.store, state, scenarios[0]?.crashWhen ?? (() => false));
    await assert.rejects(h.ingest(key, { store, control: dying(h.control, state, () => false), partBytes: 16 * 1024 }));

    // Act
    const busy = h.ingest(key, { now: () => new Date(T0.getTime() + 60_000) });

    // Assess
    await assert.rejects(busy, (error: unknown) => {
      assert.ok(error instanceof IngestBusyError);
      assert.match(error.message, /is being ingested by run-1; retry after 2026-11-16T10:10:00.000Z/);
      return true;
    });
  });

  test('an abort (Ctrl-C in dap watch) rolls back at once: nothing in raw, the file stays in landing, a rerun loads it', async () => {
    // Prepare
    const h = harness();
    harnesses.push(h);
    const key = h.drop(bigCsv(h), 'people');
    const controller = new AbortController();
    let puts = 0;
    const store = new Proxy(h.store, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (property !== 'put' || typeof value !== 'function')
          return typeof value === 'function' ? value.bind(object) : value;
        return async (...args: Parameters<ObjectStore['put']>) => {
          if (++puts === 2) controller.abort();
          return value.apply(object, args);
        };
      },
    });

    // Act
    await assert.rejects(h.ingest(key, { store, signal: controller.signal, partBytes: 16 * 1024 }), IngestFailedError);
    const afterAbort = {
      raw: await h.keys('raw'),
      landing: await h.keys('landing'),
    };
    const rerun = await h.ingest(key, { partBytes: 16 * 1024 });

    // Assess
    assert.deepEqual(afterAbort.raw, []);
    assert.deepEqual(afterAbort.landing, [key]);
    assert.equal(rerun.outcome, 'partially_loaded');
    assert.equal(rerun.attempt, 2);
    assert.equal((await rawRows(h, 'people')).length, 1980);
  });
});
