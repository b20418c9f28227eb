import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadCheckedProject } from '../../lib/check/check.ts';
import type { StoredObject } from '../../lib/core/ports.ts';
import { prepareEvent } from '../../lib/core/prepare-event.ts';
import { addDays, capWindow, MAX_DAYS_PER_RUN } from '../../lib/core/window.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EVENT = 'auth_email_code_sent';

describe('a run reads at most 100 delivery days per event (Athena writes at most 100 partitions per statement)', () => {
  const project = loadCheckedProject(ROOT);
  const location = project.rawTables.get(EVENT)?.location ?? '';
  const folder = mkdtempSync(join(tmpdir(), 'dap-prepare-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  /** One raw file a day from 2025-01-01, `count` days. */
  function rawDays(count: number): StoredObject[] {
    return Array.from({ length: count }, (_, i) => {
      const day = addDays('2025-01-01', i);
      const [year, month, date] = day.split('-');
      return {
        key: `${location}/year=${year}/month=${month}/day=${date}/part-0.json`,
        size: 100,
        lastModified: new Date(`${day}T12:00:00Z`),
      };
    });
  }

  function deps(objects: StoredObject[]) {
    return {
      environment: 'dev',
      projectForRun: async () => project,
      control: new FileControlStore(mkdtempSync(join(folder, 'control-'))),
      objects: { listObjects: async () => objects },
      rawBucket: 'raw',
      now: () => new Date('2026-06-01T00:00:00Z'),
    };
  }

  test('a first run over 250 days of history reads the first 100 and leaves 150 for the next runs', async () => {
    // Act
    const prepared = await prepareEvent(deps(rawDays(250)), {
      run_id: 'r1',
      product_family: 'auth_account_creation',
      event_name: EVENT,
    });

    // Assess
    assert.equal(prepared.skip, false);
    assert.deepEqual(prepared.window, { from: '0000-00-00', to: addDays('2025-01-01', MAX_DAYS_PER_RUN - 1) });
    assert.equal(prepared.raw_partitions, 100);
    assert.equal(prepared.raw_files, 100);
    assert.equal(prepared.deferred_days, 150);
  });

  test('a history of 100 days is read in one run', async () => {
    const prepared = await prepareEvent(deps(rawDays(100)), {
      run_id: 'r1',
      product_family: 'auth_account_creation',
      event_name: EVENT,
    });

    assert.equal(prepared.raw_partitions, 100);
    assert.equal(prepared.deferred_days, 0);
    assert.ok(
      prepared.window.to > '2025-04-10',
      `the window reaches the clock's last complete day (${prepared.window.to})`,
    );
  });

  test('a backfill over more than 100 days with data is refused, naming where to split it', async () => {
    await assert.rejects(
      prepareEvent(deps(rawDays(120)), {
        run_id: 'r1',
        product_family: 'auth_account_creation',
        event_name: EVENT,
        replay: { from: '2024-12-31', to: '2025-12-31' },
      }),
      {
        name: 'WindowTooLargeError',
        message:
          "the backfill of auth_email_code_sent covers 120 delivery days with data (2025-01-01 to 2025-04-30); one run writes at most 100 (Athena's open partition writers per statement): backfill up to 2025-04-10 first, then the rest",
      },
    );
  });

  test('a cut window ends before the days only a pull made complete, so all of it commits', () => {
    const days = Array.from({ length: 101 }, (_, i) => addDays('2025-01-01', i));

    const cut = capWindow({ from: '0000-00-00', to: '2025-06-01', settled: '2025-05-01' }, days);
    const early = capWindow({ from: '0000-00-00', to: '2025-06-01', settled: '2025-02-01' }, days);

    assert.deepEqual(cut, { window: { from: '0000-00-00', to: '2025-04-10' }, deferredDays: 1 });
    assert.deepEqual(early.window, { from: '0000-00-00', to: '2025-04-10', settled: '2025-02-01' });
  });
});
