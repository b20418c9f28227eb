import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeTxmaSamples } from '../../lib/core/samples/txma.ts';
import type { LocalWarehouse } from '../../lib/local/local-warehouse.ts';
import { LocalTwin, type TwinRunResult } from '../../lib/local/twin/local-twin.ts';
import { enableOnlyReportingFamily, type TwinFixture, twinFixture } from '../helpers/twin-fixture.ts';

/** The TxMA stage tables sp_user_journey reads (orch_spot is disabled in the shipped config: its table is empty). */
const FAMILIES = ['auth_account_creation', 'ipv_identity_journey', 'dcmaw_app_journey', 'orch_spot'] as const;

/** The tables sp_user_journey writes, besides procedure_audit. */
const MODEL_TABLES = ['fact_user_journey_event', 'err_duplicate_event', 'dim_event', 'dim_date', 'uj_stage_watermark'];

const at = (iso: string) => () => new Date(iso);

/** Only user_journey enabled in the fixture's copy of the reporting config. */
function enableUserJourney(root: string): void {
  enableOnlyReportingFamily(root, 'user_journey');
}

async function runTwin(fixture: TwinFixture, now: string, runId: string): Promise<TwinRunResult> {
  const twin = await LocalTwin.open(fixture.context);
  return twin.run({ now: at(now), runId });
}

async function rows(warehouse: LocalWarehouse, sql: string): Promise<Record<string, unknown>[]> {
  return [...(await warehouse.database.query(sql)).rows];
}

/** Every row of every model table, each table sorted: equal dumps mean equal tables. */
async function dumpModel(warehouse: LocalWarehouse): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of MODEL_TABLES) {
    const result = await rows(warehouse, `select * from conformed.${table}`);
    dump[table] = result.map((row) => JSON.stringify(row)).sort();
  }
  return dump;
}

/** event_id, family, event name and delivery day of every TxMA stage row, read from the query engine (the Athena side). */
async function stageRows(
  fixture: TwinFixture,
): Promise<{ event_id: string; family: string; event_name: string; processed_date: string }[]> {
  const { engine, names } = fixture.context;
  const union = FAMILIES.map(
    (f) => `select event_id, '${f}' as family, event_name, processed_date from ${names.stageDatabase}.${f}`,
  ).join(' union all ');
  const result = await engine.execute(`${union} order by event_id, family`);
  return result.rows.map((r) => ({
    event_id: String(r.event_id),
    family: String(r.family),
    event_name: String(r.event_name),
    processed_date: String(r.processed_date),
  }));
}

async function callProcedure(fixture: TwinFixture, runId: string): Promise<void> {
  const warehouse = await fixture.context.warehouse();
  await warehouse.callProcedure('conformed', 'sp_user_journey', [runId]);
}

async function auditRows(warehouse: LocalWarehouse) {
  return rows(
    warehouse,
    "select run_id, status, rows_inserted, message from conformed.procedure_audit where procedure_name = 'sp_user_journey' order by started_at, run_id",
  );
}

/** ISO 8601 week-numbering year and week of a UTC date, computed independently of the warehouse. */
function isoWeek(date: Date): { year: number; week: number } {
  const day = date.getUTCDay() || 7;
  const thursday = new Date(date.getTime() + (4 - day) * 86_400_000);
  const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return { year: thursday.getUTCFullYear(), week: Math.floor((thursday.getTime() - jan1) / 86_400_000 / 7) + 1 };
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value));

describe('sp_user_journey on the twin', () => {
  let fixture: TwinFixture;
  let warehouse: LocalWarehouse;
  let first: TwinRunResult;

  before(async () => {
    fixture = await twinFixture(enableUserJourney);
    first = await runTwin(fixture, '2024-01-17T12:00:00Z', 'run-1'); // delivery days up to 2024-01-16
    warehouse = await fixture.context.warehouse();
  });
  after(async () => {
    await fixture?.cleanup();
  });

  test('the run calls the procedure and loads one fact row per distinct stage event_id, as many as stage', async () => {
    assert.equal(first.outcome, 'SUCCEEDED', JSON.stringify(first.report?.reporting ?? first.error));
    assert.deepEqual(
      first.report?.reporting.map((r) => [r.product_family, r.status, r.error]),
      [['user_journey', 'SUCCEEDED', null]],
    );

    const stage = await stageRows(fixture);
    const distinct = [...new Set(stage.map((r) => r.event_id))].sort();
    assert.ok(distinct.length > 200, `the sample reached stage (${distinct.length} events)`);
    const fact = await rows(
      warehouse,
      'select f.event_id, f.source_family, e.event_name, f.loaded_run_id from conformed.fact_user_journey_event f join conformed.dim_event e on e.event_key = f.event_key order by f.event_id',
    );
    assert.deepEqual(
      fact.map((r) => r.event_id),
      distinct,
    );
    // The sample has no event_id in two families, so every stage row is the fact row of its event.
    assert.equal(stage.length, distinct.length);
    const byId = new Map(stage.map((r) => [r.event_id, r]));
    for (const row of fact) {
      const source = byId.get(String(row.event_id));
      assert.equal(row.source_family, source?.family, String(row.event_id));
      assert.equal(row.event_name, source?.event_name, String(row.event_id));
      assert.equal(row.loaded_run_id, 'run-1');
    }
    for (const family of FAMILIES) {
      const [count] = await rows(
        warehouse,
        `select count(*)::int as n from conformed.fact_user_journey_event where source_family = '${family}'`,
      );
      assert.equal(count?.n, stage.filter((r) => r.family === family).length, family);
    }
    assert.deepEqual(await rows(warehouse, 'select * from conformed.err_duplicate_event'), []);
    const audit = await auditRows(warehouse);
    assert.deepEqual(
      audit.map((r) => [r.run_id, r.status, Number(r.rows_inserted)]),
      [['run-1', 'SUCCEEDED', distinct.length]],
    );
  });

  test('calling it again, with the same or a new run id and no new data, changes no table; each call is audited', async () => {
    const before = await dumpModel(warehouse);
    await callProcedure(fixture, 'run-1');
    assert.deepEqual(await dumpModel(warehouse), before, 'same run id');
    await callProcedure(fixture, 'run-1-again');
    assert.deepEqual(await dumpModel(warehouse), before, 'new run id');

    const audit = await auditRows(warehouse);
    assert.deepEqual(
      audit.map((r) => [r.run_id, r.status, Number(r.rows_inserted)]),
      [
        ['run-1', 'SUCCEEDED', before.fact_user_journey_event?.length],
        ['run-1', 'SUCCEEDED', 0],
        ['run-1-again', 'SUCCEEDED', 0],
      ],
    );
    assert.match(String(audit[2]?.message), /partitions read 0, stage rows read 0, fact rows inserted 0/);

    // Even re-reading every stage partition (watermark forgotten) loads nothing twice
    await warehouse.database.execute('delete from conformed.uj_stage_watermark');
    await callProcedure(fixture, 'run-1-reread');
    const reread = await dumpModel(warehouse);
    const { uj_stage_watermark: watermarkBefore, ...modelBefore } = before;
    const { uj_stage_watermark: watermarkAfter, ...modelAfter } = reread;
    assert.deepEqual(modelAfter, modelBefore);
    const partitions = (dump: string[] | undefined) =>
      (dump ?? []).map((row) => {
        const { source_family, processed_date, row_count } = JSON.parse(row) as Record<string, unknown>;
        return JSON.stringify([source_family, processed_date, row_count]);
      });
    assert.deepEqual(partitions(watermarkAfter), partitions(watermarkBefore));
    assert.match(String((await auditRows(warehouse)).at(-1)?.message), /fact rows inserted 0, duplicates recorded 0,/);
  });

  test('a second run with one more delivery day loads exactly that day’s new events, reading only its partitions', async () => {
    const factBefore = new Set(
      (await rows(warehouse, 'select event_id from conformed.fact_user_journey_event')).map((r) => String(r.event_id)),
    );
    const stageBefore = new Set((await stageRows(fixture)).map((r) => r.event_id));
    const readBefore = new Map(
      (
        await rows(warehouse, 'select source_family, processed_date, loaded_run_id from conformed.uj_stage_watermark')
      ).map((r) => [`${r.source_family} ${iso(r.processed_date)}`, r.loaded_run_id]),
    );
    const { store, names } = fixture.context;
    await writeTxmaSamples(store, names.buckets.raw, {
      seed: 4242,
      startDate: '2024-01-17',
      days: 1,
      eventsPerDay: 80,
      lateRate: 0,
      deliveryStream: 'txma-extra-day',
    });

    const second = await runTwin(fixture, '2024-01-18T12:00:00Z', 'run-2'); // the new delivery day 2024-01-17

    assert.equal(second.outcome, 'SUCCEEDED', JSON.stringify(second.report?.reporting ?? second.error));
    const stageAfter = await stageRows(fixture);
    const addedRows = stageAfter.filter((r) => !stageBefore.has(r.event_id));
    const added = addedRows.map((r) => r.event_id);
    // Most of the new day's 80 events were delivered that day; the rest wait for 2024-01-18's window.
    assert.ok(added.length > 40, `the new day reached stage (${added.length} events)`);
    assert.deepEqual([...new Set(addedRows.map((r) => r.processed_date))], ['2024-01-17']);
    const loaded = await rows(
      warehouse,
      "select event_id from conformed.fact_user_journey_event where loaded_run_id = 'run-2' order by event_id",
    );
    assert.deepEqual(
      loaded.map((r) => r.event_id),
      [...added].sort(),
    );
    const [total] = await rows(warehouse, 'select count(*)::int as n from conformed.fact_user_journey_event');
    assert.equal(total?.n, factBefore.size + added.length);
    // Only the new delivery day's partitions were read: the older ones keep the run that loaded them.
    const watermark = await rows(
      warehouse,
      'select source_family, processed_date, loaded_run_id from conformed.uj_stage_watermark order by 1, 2',
    );
    for (const row of watermark) {
      const key = `${row.source_family} ${iso(row.processed_date)}`;
      const day = iso(row.processed_date);
      assert.equal(row.loaded_run_id, day >= '2024-01-17' ? 'run-2' : readBefore.get(key), key);
    }
    assert.ok(watermark.some((r) => r.loaded_run_id === 'run-2'));
  });

  test('an event arriving again (in another family, or re-written into another delivery day) is not loaded twice and is recorded once per copy', async () => {
    const { engine, names } = fixture.context;
    const stage = names.stageDatabase;
    const factBefore = (await dumpModel(warehouse)).fact_user_journey_event;
    const [auth] = (
      await engine.execute(`select event_id from ${stage}.auth_account_creation order by event_id limit 1`)
    ).rows;
    const [ipv] = (
      await engine.execute(
        `select event_id, processed_date from ${stage}.ipv_identity_journey where processed_date = date '2024-01-16' order by event_id limit 1`,
      )
    ).rows;
    const authId = String(auth?.event_id);
    const ipvId = String(ipv?.event_id);
    // The same event in a second family
    await engine.execute(
      `insert into ${stage}.dcmaw_app_journey (event_id, event_at, event_date, client_id, component_id, user_id, govuk_signin_journey_id, session_id, processed_date, event_name)
       select event_id, event_at, event_date, client_id, component_id, user_id, govuk_signin_journey_id, session_id, processed_date, 'dcmaw_cri_start'
       from ${stage}.auth_account_creation where event_id = '${authId}'`,
    );
    // A backfill re-wrote a stage row into a later delivery day
    await engine.execute(
      `update ${stage}.ipv_identity_journey set processed_date = date '2024-01-19' where event_id = '${ipvId}'`,
    );

    await callProcedure(fixture, 'run-dup-1');
    await callProcedure(fixture, 'run-dup-2'); // reads nothing new: records nothing again

    assert.deepEqual((await dumpModel(warehouse)).fact_user_journey_event, factBefore, 'the fact is unchanged');
    const [authFact] = await rows(
      warehouse,
      `select processed_date from conformed.fact_user_journey_event where event_id = '${authId}'`,
    );
    const authDay = iso(authFact?.processed_date);
    const duplicates = (
      await rows(
        warehouse,
        'select event_id, source_family, processed_date, first_source_family, first_processed_date, first_loaded_run_id, duplicate_run_id from conformed.err_duplicate_event order by source_family',
      )
    ).map((r) => ({ ...r, processed_date: iso(r.processed_date), first_processed_date: iso(r.first_processed_date) }));
    assert.deepEqual(duplicates, [
      {
        event_id: authId,
        source_family: 'dcmaw_app_journey',
        processed_date: authDay,
        first_source_family: 'auth_account_creation',
        first_processed_date: authDay,
        first_loaded_run_id: 'run-1',
        duplicate_run_id: 'run-dup-1',
      },
      {
        event_id: ipvId,
        source_family: 'ipv_identity_journey',
        processed_date: '2024-01-19',
        first_source_family: 'ipv_identity_journey',
        first_processed_date: '2024-01-16',
        first_loaded_run_id: 'run-1',
        duplicate_run_id: 'run-dup-1',
      },
    ]);
    const audit = await auditRows(warehouse);
    assert.match(String(audit.at(-2)?.message), /fact rows inserted 0, duplicates recorded 2,/);
    assert.match(String(audit.at(-1)?.message), /partitions read 0,/);

    // A new event in each of those partitions makes the next run read them again: the new events are loaded, the
    // copies already recorded are not recorded again
    const duplicatesBefore = (await dumpModel(warehouse)).err_duplicate_event;
    await engine.execute(
      `insert into ${stage}.dcmaw_app_journey (event_id, event_at, event_date, processed_date, event_name) values ('uj-new-1', timestamp '${authDay} 10:00:00', date '${authDay}', date '${authDay}', 'dcmaw_cri_start')`,
    );
    await engine.execute(
      `insert into ${stage}.ipv_identity_journey (event_id, event_at, event_date, processed_date, event_name) values ('uj-new-2', timestamp '2024-01-19 10:00:00', date '2024-01-19', date '2024-01-19', 'ipv_journey_start')`,
    );
    await callProcedure(fixture, 'run-dup-3');
    assert.deepEqual((await dumpModel(warehouse)).err_duplicate_event, duplicatesBefore);
    const loaded = await rows(
      warehouse,
      "select event_id, source_family from conformed.fact_user_journey_event where loaded_run_id = 'run-dup-3' order by event_id",
    );
    assert.deepEqual(loaded, [
      { event_id: 'uj-new-1', source_family: 'dcmaw_app_journey' },
      { event_id: 'uj-new-2', source_family: 'ipv_identity_journey' },
    ]);
    assert.match(String((await auditRows(warehouse)).at(-1)?.message), /partitions read 2,/);
  });

  test('dim_date and dim_event: hand-checked values, every fact date covered, keys stable', async () => {
    const { engine, names } = fixture.context;
    const keysBefore = await rows(
      warehouse,
      'select event_key, event_name from conformed.dim_event order by event_key',
    );
    // Events on dates whose ISO week is easy to get wrong, and a first event of the (disabled) orch_spot family
    const extra = [
      ['uj-iso-1', 'auth_account_creation', 'auth_create_account', '2024-12-30'],
      ['uj-iso-2', 'auth_account_creation', 'auth_create_account', '2021-01-03'],
      ['uj-iso-3', 'orch_spot', 'orch_spot_request_sent', '2027-01-01'],
    ];
    for (const [id, family, event, day] of extra) {
      await engine.execute(
        `insert into ${names.stageDatabase}.${family} (event_id, event_at, event_date, processed_date, event_name) values ('${id}', timestamp '${day} 10:00:00', date '${day}', date '${day}', '${event}')`,
      );
    }
    await callProcedure(fixture, 'run-dates');

    const byDate = new Map(
      (await rows(warehouse, 'select * from conformed.dim_date')).map((r) => [iso(r.calendar_date), r]),
    );
    const pick = (day: string) => {
      const row = byDate.get(day);
      assert.ok(row, `dim_date has ${day}`);
      return [row.date_key, row.day_name, row.day_of_week, row.iso_year, row.iso_week, row.quarter, row.is_weekend];
    };
    assert.deepEqual(pick('2024-12-30'), [20241230, 'Monday', 1, 2025, 1, 4, false]);
    assert.deepEqual(pick('2021-01-03'), [20210103, 'Sunday', 7, 2020, 53, 1, true]);
    assert.deepEqual(pick('2027-01-01'), [20270101, 'Friday', 5, 2026, 53, 1, false]);
    assert.deepEqual(pick('2024-01-15'), [20240115, 'Monday', 1, 2024, 3, 1, false]);
    assert.deepEqual(pick('2024-02-29'), [20240229, 'Thursday', 4, 2024, 9, 1, false]);
    assert.equal(byDate.get('2024-01-20')?.is_weekend, true);
    assert.equal(byDate.get('2024-01-20')?.day_name, 'Saturday');
    assert.equal(byDate.get('2024-02-29')?.month_name, 'February');
    assert.equal(iso(byDate.get('2024-02-29')?.week_start_date), '2024-02-26');

    // One row per day from the first to the last fact date, each agreeing with an independent computation
    const days = [...byDate.keys()].sort();
    assert.equal(days[0], '2021-01-03');
    assert.equal(days.at(-1), '2027-01-01');
    assert.equal(days.length, (Date.parse('2027-01-01') - Date.parse('2021-01-03')) / 86_400_000 + 1);
    const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    for (const [day, row] of byDate) {
      const date = new Date(`${day}T00:00:00Z`);
      const week = isoWeek(date);
      assert.deepEqual(
        [row.date_key, row.day_name, row.iso_year, row.iso_week, row.year, row.month, row.quarter, row.day_of_month],
        [
          Number(day.replaceAll('-', '')),
          dayNames[date.getUTCDay()],
          week.year,
          week.week,
          date.getUTCFullYear(),
          date.getUTCMonth() + 1,
          Math.floor(date.getUTCMonth() / 3) + 1,
          date.getUTCDate(),
        ],
        day,
      );
    }
    const [uncovered] = await rows(
      warehouse,
      'select count(*)::int as n from conformed.fact_user_journey_event f left join conformed.dim_date d on d.date_key = f.date_key where d.date_key is null',
    );
    assert.equal(uncovered?.n, 0);

    // dim_event: one row per event name with its family; existing keys unchanged, the new name gets the next key
    const keysAfter = await rows(
      warehouse,
      'select event_key, event_name, product_family from conformed.dim_event order by event_key',
    );
    assert.deepEqual(
      keysAfter.slice(0, keysBefore.length).map((r) => [r.event_key, r.event_name]),
      keysBefore.map((r) => [r.event_key, r.event_name]),
    );
    assert.deepEqual(keysAfter.at(-1), {
      event_key: keysBefore.length + 1,
      event_name: 'orch_spot_request_sent',
      product_family: 'orch_spot',
    });
    const family = new Map(keysAfter.map((r) => [r.event_name, r.product_family]));
    assert.equal(family.get('auth_create_account'), 'auth_account_creation');
    assert.equal(family.get('ipv_identity_issued'), 'ipv_identity_journey');
    assert.equal(family.get('dcmaw_cri_start'), 'dcmaw_app_journey');
    assert.equal(new Set(keysAfter.map((r) => r.event_name)).size, keysAfter.length);
    // The first load numbered the names it saw in name order
    const firstNames = keysBefore.map((r) => String(r.event_name));
    assert.deepEqual(firstNames, [...firstNames].sort());
  });
});

test('a failure inside sp_user_journey reaches the run report with the warehouse error; the audit row says FAILED and nothing is loaded', async () => {
  // A stage table without component_id (its schema and the SQL writing it both dropped the column)
  const fixture = await twinFixture((root) => {
    enableUserJourney(root);
    const schema = join(root, 'athena-scripts/stage_tables/dcmaw_app_journey.json');
    const table = JSON.parse(readFileSync(schema, 'utf8')) as { columns: { name: string }[] };
    table.columns = table.columns.filter((c) => c.name !== 'component_id');
    writeFileSync(schema, JSON.stringify(table, null, 2));
    const dml = join(root, 'athena-scripts/dml/insert_into');
    for (const file of readdirSync(dml).filter((f) => f.startsWith('dcmaw_'))) {
      const sql = readFileSync(join(dml, file), 'utf8');
      writeFileSync(join(dml, file), sql.replace(/^\s*component_id,\n/gm, ''));
    }
  });
  try {
    const run = await runTwin(fixture, '2024-01-17T12:00:00Z', 'run-broken');

    assert.equal(
      run.report?.families.every((f) => f.status === 'SUCCEEDED'),
      true,
      'the stage families load',
    );
    const reporting = run.report?.reporting.find((r) => r.product_family === 'user_journey');
    assert.equal(reporting?.status, 'FAILED');
    assert.match(String(reporting?.error), /sp_user_journey/);
    assert.match(String(reporting?.error), /column s\.component_id does not exist/);
    assert.equal(run.outcome, 'PARTIAL', 'the stage families committed; only the reporting family failed');

    const warehouse = await fixture.context.warehouse();
    const audit = await auditRows(warehouse);
    assert.deepEqual(
      audit.map((r) => [r.run_id, r.status]),
      [['run-broken', 'FAILED']],
    );
    assert.match(String(audit[0]?.message), /component_id does not exist/);
    for (const table of MODEL_TABLES) {
      const [count] = await rows(warehouse, `select count(*)::int as n from conformed.${table}`);
      assert.equal(count?.n, 0, `${table} is rolled back`);
    }
  } finally {
    await fixture.cleanup();
  }
});
