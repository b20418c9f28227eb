import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { StaticSecretSource } from '../../lib/core/connectors/secrets.ts';
import { extractSource } from '../../lib/core/extract/extract.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';
import { PgSourceDatabases } from '../../lib/engines/postgres/pg-source-databases.ts';
import { sampleDatabaseSql, startSourceDatabase } from '../../lib/local/source-database-server.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { enableOnlyReportingFamily, REPO_ROOT, twinFixture } from '../helpers/twin-fixture.ts';

// A database source through the reporting model on the twin: two campus databases extracted on two days, then the
// state machine's sp_single_customer_view. History is I/U/D per (source_id, key); staff are federated per
// (source_id, staff_id) and consolidated across the two databases by e-mail.

test('two extracts of two databases give I/U/D history per source and consolidated staff; a run with no new extract changes nothing', async () => {
  const fixture = await twinFixture((root) => enableOnlyReportingFamily(root, 'single_customer_view'));
  const north = await startSourceDatabase(sampleDatabaseSql(REPO_ROOT, 'timetable', 'north'));
  const south = await startSourceDatabase(sampleDatabaseSql(REPO_ROOT, 'timetable', 'south'));
  try {
    // Prepare
    const { context } = fixture;
    const source = context.project.databaseSources.get('timetable');
    assert.ok(source);
    const extractOn = (day: string) =>
      extractSource(source, {
        store: context.store,
        rawBucket: context.names.buckets.raw,
        control: new FileControlStore(context.dataDir, { table: context.names.controlTable }),
        secrets: new StaticSecretSource({ TIMETABLE_NORTH_DB: north.url, TIMETABLE_SOUTH_DB: south.url }),
        databases: new PgSourceDatabases(),
        now: () => new Date(`${day}T02:00:00Z`),
      });
    const twin = await LocalTwin.open(context);
    const run = async () => {
      const outcome = await twin.run({});
      assert.equal(outcome.outcome, 'SUCCEEDED', JSON.stringify(outcome, null, 1).slice(0, 2000));
    };
    const warehouse = await context.warehouse();
    const query = async (sql: string) => (await warehouse.database.query(sql)).rows;
    const changes = () =>
      query(
        `select entity, to_char(snapshot_date, 'YYYY-MM-DD') as d, change_type as t, native_key as k ` +
          `from conformed.scd2_change_history_current where entity like 'timetable%' order by 1, 2, 3, 4`,
      );

    // Act: day one, then changes in both databases, then day two
    assert.equal((await extractOn('2026-12-04')).status, 'promoted');
    await run();
    await north.exec("UPDATE staff SET email = 'ada@new-college.example' WHERE staff_id = 101");
    await north.exec("DELETE FROM rooms WHERE site = 'main' AND room_code = 'M102'");
    await south.exec(
      "INSERT INTO staff VALUES (12, 'katherine.johnson@example.org', 'Katherine Johnson', 10, 57000, now())",
    );
    assert.equal((await extractOn('2026-12-05')).status, 'promoted');
    await run();

    // Assess: day one inserts every row of both databases; day two holds exactly the three changes
    const history = await changes();
    const dayTwo = history.filter((c) => c.d === '2026-12-05');
    assert.deepEqual(dayTwo, [
      { entity: 'timetable_rooms', d: '2026-12-05', t: 'D', k: 'north|main|M102' },
      { entity: 'timetable_staff', d: '2026-12-05', t: 'I', k: 'south|12' },
      { entity: 'timetable_staff', d: '2026-12-05', t: 'U', k: 'north|101' },
    ]);
    const dayOne = history.filter((c) => c.d === '2026-12-04');
    assert.equal(dayOne.length, 5 + 7 + 7);
    assert.ok(dayOne.every((c) => c.t === 'I'));
    const ada = await query(
      `select email, to_char(valid_from, 'YYYY-MM-DD') as valid_from, is_current from conformed.dim_timetable_staff_history ` +
        `where row_key = 'north|101' order by valid_from`,
    );
    assert.deepEqual(ada, [
      { email: 'ada.lovelace@example.org', valid_from: '2026-12-04', is_current: false },
      { email: 'ada@new-college.example', valid_from: '2026-12-05', is_current: true },
    ]);

    // federated per (source_id, staff_id); Alan Turing and Marie Curie are one customer across the two databases
    const people = await query(
      `select p.native_id, f.federated_id, p.customer_id from conformed.scv_person p ` +
        `join conformed.scv_federated_id f on f.source = p.source and f.native_id = p.native_id ` +
        `where p.source = 'timetable_staff' order by p.native_id`,
    );
    assert.equal(people.length, 8);
    assert.equal(new Set(people.map((p) => String(p.federated_id))).size, 8, 'one federated id per (source_id, id)');
    const customerOf = (id: string) => people.find((p) => p.native_id === id)?.customer_id;
    assert.equal(customerOf('north|102'), customerOf('south|7'), 'Alan Turing');
    assert.equal(customerOf('north|103'), customerOf('south|8'), 'Marie Curie');
    assert.notEqual(customerOf('north|101'), customerOf('north|102'));

    // a run with no new extract applies nothing again
    await run();
    assert.deepEqual(await changes(), history);
  } finally {
    await north.stop();
    await south.stop();
    await fixture.cleanup();
  }
});

test('an incremental table has a history too: its snapshots are whole, so rows not read again are not deletions', async () => {
  const fixture = await twinFixture((root) => {
    enableOnlyReportingFamily(root, 'single_customer_view');
    const file = join(root, 'config/sources/databases/timetable.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { tables: { name: string }[] };
    config.tables = config.tables.map((t) =>
      t.name === 'staff' ? { ...t, mode: 'incremental', cursor: { column: 'updated_at', overlap_seconds: 0 } } : t,
    );
    writeFileSync(file, JSON.stringify(config));
  });
  const north = await startSourceDatabase(sampleDatabaseSql(REPO_ROOT, 'timetable', 'north'));
  const south = await startSourceDatabase(sampleDatabaseSql(REPO_ROOT, 'timetable', 'south'));
  try {
    const { context } = fixture;
    const source = context.project.databaseSources.get('timetable');
    assert.equal(source?.tables.find((t) => t.name === 'staff')?.mode, 'incremental');
    assert.ok(source);
    const extractOn = (day: string) =>
      extractSource(source, {
        store: context.store,
        rawBucket: context.names.buckets.raw,
        control: new FileControlStore(context.dataDir, { table: context.names.controlTable }),
        secrets: new StaticSecretSource({ TIMETABLE_NORTH_DB: north.url, TIMETABLE_SOUTH_DB: south.url }),
        databases: new PgSourceDatabases(),
        now: () => new Date(`${day}T02:00:00Z`),
      });
    const twin = await LocalTwin.open(context);
    const run = async () => assert.equal((await twin.run({})).outcome, 'SUCCEEDED');

    assert.equal((await extractOn('2026-12-04')).status, 'promoted');
    await run();
    await north.exec("UPDATE staff SET email = 'ada@new-college.example', updated_at = now() WHERE staff_id = 101");
    const second = await extractOn('2026-12-05');
    assert.equal(second.status, 'promoted');
    await run();

    const warehouse = await context.warehouse();
    const staffChanges = (
      await warehouse.database.query(
        `select to_char(snapshot_date, 'YYYY-MM-DD') as d, change_type as t, native_key as k ` +
          `from conformed.scd2_change_history_current where entity = 'timetable_staff' and snapshot_date = '2026-12-05'`,
      )
    ).rows;
    assert.deepEqual(staffChanges, [{ d: '2026-12-05', t: 'U', k: 'north|101' }]);
    const live = (
      await warehouse.database.query(
        'select count(*)::int as n from conformed.dim_timetable_staff_history where is_current and not is_deleted',
      )
    ).rows;
    assert.deepEqual(live, [{ n: 7 }]);
  } finally {
    await north.stop();
    await south.stop();
    await fixture.cleanup();
  }
});
