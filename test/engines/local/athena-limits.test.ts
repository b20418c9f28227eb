import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadProject } from '../../../lib/config/loader.ts';
import { ATHENA_OPEN_PARTITION_WRITERS } from '../../../lib/core/athena-limits.ts';
import { environment } from '../../../lib/core/model/project.ts';
import {
  BytesScannedCutoffError,
  DuckDbEngine,
  TooManyOpenPartitionsError,
  writtenTable,
} from '../../../lib/engines/local/duckdb-engine.ts';
import { projectFixture } from '../../helpers/project-fixture.ts';

/**
 * What Athena refuses of a statement run in the environment's workgroup, refused by the local engine too: more
 * than 100 partitions written by one INSERT INTO or MERGE INTO, and more bytes read than the workgroup's cutoff.
 * Either way nothing the statement wrote is kept, as Athena commits nothing of a failed or cancelled query.
 */
describe("the local engine enforces Athena's per-query limits in the workgroup", () => {
  const DAYS = ['2026-11-18', '2026-11-19', '2026-11-20'];
  /** The raw bytes of each delivery day of order_placed: one file per day, the third one three times the size. */
  const dayBytes = new Map<string, number>();
  let engine: DuckDbEngine;
  let workgroup: string;
  let cutoff: number;
  let cleanup: () => void;

  before(async () => {
    const fixture = projectFixture();
    const dataDir = mkdtempSync(join(tmpdir(), 'dap-athena-limits-'));
    cleanup = () => {
      fixture.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    };
    for (const [index, day] of DAYS.entries()) {
      const folder = join(dataDir, 'dev-dap-raw', 'shop', 'order_placed', `day=${day}`);
      mkdirSync(folder, { recursive: true });
      const records = Array.from({ length: index === 2 ? 30 : 10 }, (_, i) =>
        JSON.stringify({ event_id: `${day}-${i}`, timestamp: 1_700_000_000 + i, user: { user_id: `u${i}` } }),
      );
      writeFileSync(join(folder, 'part-0.json'), `${records.join('\n')}\n`);
      dayBytes.set(day, statSync(join(folder, 'part-0.json')).size);
    }
    const project = loadProject(fixture.root);
    const dev = environment(project, 'dev');
    // Between one small day and two: the smallest cutoff Athena accepts is 10 MB, which a test need not fill.
    cutoff = (dayBytes.get(DAYS[0] ?? '') ?? 0) + 1;
    engine = await DuckDbEngine.open({
      project,
      environment: { ...dev, athena: { bytes_scanned_cutoff: cutoff } },
      dataDir,
      databasePath: ':memory:',
    });
    workgroup = engine.names.workgroup;
  });
  after(async () => {
    await engine?.close();
    cleanup?.();
  });

  const stageRows = async () =>
    Number((await engine.execute('select count(*) as n from dev_dap_stage.sales')).rows[0]?.n ?? -1);
  /** `select`ing `events` rows spread over `partitions` values of the stage table's partition column. */
  const rows = (events: number, partitions: number) =>
    `select 'e' || i as event_id, 'event_' || (i % ${partitions}) as event_name from range(${events}) as t(i)`;

  test('an INSERT writing 100 partitions runs; 101 fail with Athena’s error and leave the table as it was', async () => {
    // Act
    const within = await engine.execute(
      `insert into dev_dap_stage.sales (event_id, event_name) ${rows(500, ATHENA_OPEN_PARTITION_WRITERS)}`,
      { workgroup },
    );
    const refused = await engine
      .execute(`insert into dev_dap_stage.sales (event_id, event_name) ${rows(505, 101)} -- one more\n;`, {
        workgroup,
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    assert.equal(within.rowsAffected, 500);
    assert.equal(within.bytesScanned, 0);
    assert.ok(refused instanceof TooManyOpenPartitionsError, String(refused));
    assert.equal(
      refused.message,
      'ICEBERG_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions (the statement writes 101 partitions of dev_dap_stage.sales)',
    );
    assert.equal(await stageRows(), 500);
    await engine.execute('delete from dev_dap_stage.sales');
  });

  test('a MERGE counts the partitions it inserts or updates into, and fails over 100 as an INSERT does', async () => {
    // Prepare: 60 partitions hold rows already; the merge updates those and inserts into 41 more
    await engine.execute(`insert into dev_dap_stage.sales (event_id, event_name) ${rows(60, 60)}`);
    const merge = (partitions: number) =>
      [
        'merge into dev_dap_stage.sales as target',
        `using (${rows(partitions, partitions)}) as source on target.event_id = source.event_id`,
        "when matched then update set user_id = 'updated'",
        'when not matched then insert (event_id, event_name) values (source.event_id, source.event_name)',
      ].join('\n');

    // Act
    const refused = await engine.execute(merge(101), { workgroup }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const updatedAfterRefusal = await engine.execute(
      "select count(*) as n from dev_dap_stage.sales where user_id = 'updated'",
    );
    const rowsAfterRefusal = await stageRows();
    const within = await engine.execute(merge(100), { workgroup });

    // Assess
    assert.ok(refused instanceof TooManyOpenPartitionsError, String(refused));
    assert.equal(refused.partitions, 101);
    assert.equal(Number(updatedAfterRefusal.rows[0]?.n), 0);
    assert.equal(rowsAfterRefusal, 60);
    assert.equal(within.rowsAffected, 100);
    assert.equal(await stageRows(), 100);
    await engine.execute('delete from dev_dap_stage.sales');
  });

  test('outside a workgroup (golden tests, fills) nothing is limited', async () => {
    const result = await engine.execute(`insert into dev_dap_stage.sales (event_id, event_name) ${rows(300, 150)}`);
    assert.equal(result.rowsAffected, 300);
    await engine.execute('delete from dev_dap_stage.sales');
  });

  test('a query reads the bytes of the raw files in the partitions it reads, and runs within the cutoff', async () => {
    // Act
    const oneDay = await engine.execute('select count(*) as n from dev_dap_raw.order_placed where "day" = ?', {
      parameters: [DAYS[0] ?? ''],
      workgroup,
    });

    // Assess
    assert.equal(Number(oneDay.rows[0]?.n), 10);
    assert.equal(oneDay.bytesScanned, dayBytes.get(DAYS[0] ?? ''));
    assert.equal(oneDay.bytesScanned, cutoff - 1);
    assert.equal((await engine.queryStatistics(oneDay.queryId))?.bytesScanned, cutoff - 1);
  });

  test('a query reading more than the cutoff is cancelled as Athena cancels it, and what it wrote is not kept', async () => {
    // Act
    const load = `insert into dev_dap_stage.sales (event_id, event_name) select event_id, 'order_placed' from dev_dap_raw.order_placed where "day" > ? and "day" <= ?`;
    const refused = await engine.execute(load, { parameters: [DAYS[0] ?? '', DAYS[2] ?? ''], workgroup }).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    const read = (dayBytes.get(DAYS[1] ?? '') ?? 0) + (dayBytes.get(DAYS[2] ?? '') ?? 0);
    assert.ok(refused instanceof BytesScannedCutoffError, String(refused));
    assert.equal(refused.bytesScanned, read);
    assert.equal(
      refused.message,
      `Bytes scanned limit was exceeded: the query read ${read} bytes, over workgroup ${workgroup}'s cutoff of ${cutoff} bytes per query`,
    );
    assert.equal(await stageRows(), 0);
  });

  test('a workgroup other than the environment’s is refused: the engine knows no other settings', async () => {
    await assert.rejects(
      engine.execute('select 1', { workgroup: 'primary' }),
      /^QueryFailedError: workgroup primary is not this environment's \(dev-dap-workgroup\)/,
    );
  });
});

test('the written table of an INSERT INTO or MERGE INTO, however spelled; none of any other statement', () => {
  assert.deepEqual(writtenTable('-- note\ninsert into "Stage".sales (a) select 1'), {
    parts: ['Stage', 'sales'],
    merge: false,
  });
  assert.deepEqual(writtenTable('MERGE INTO db . t AS target USING s ON true'), { parts: ['db', 't'], merge: true });
  assert.equal(writtenTable('select * from db.t'), undefined);
  assert.equal(writtenTable('delete from db.t'), undefined);
});
