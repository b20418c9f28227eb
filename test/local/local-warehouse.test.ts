import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MigrationMismatchError } from '../../lib/core/migrations.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { twinFixture } from '../helpers/twin-fixture.ts';

test('the local warehouse applies the migrations once and records each with its checksum', async () => {
  const fixture = await twinFixture();
  try {
    const warehouse = await fixture.context.warehouse();
    const history = await warehouse.database.query(
      'select script, version, checksum from conformed.dap_schema_history order by installed_rank',
    );
    assert.ok(history.rows.length >= 1);
    assert.equal(history.rows[0]?.script, 'redshift-scripts/migrations/V001__reporting_schema.sql');
    assert.match(String(history.rows[0]?.checksum), /^[0-9a-f]{64}$/);
    const again = await warehouse.migrate('second');
    assert.deepEqual(again.applied, [], 'nothing is pending the second time');
  } finally {
    await fixture.cleanup();
  }
});

test('an applied migration edited afterwards is refused, naming the file', async () => {
  const fixture = await twinFixture();
  try {
    await fixture.context.warehouse();
    const file = join(fixture.root, 'redshift-scripts/migrations/V001__reporting_schema.sql');
    writeFileSync(file, '-- edited\ncreate schema if not exists {{reporting_schema}};\n');
    const { loadCheckedProject } = await import('../../lib/check/check.ts');
    const { migrate, warehouseBindings } = await import('../../lib/core/migrations.ts');
    const project = loadCheckedProject(fixture.root);
    const warehouse = await fixture.context.warehouse();
    await assert.rejects(
      migrate(
        warehouse.database,
        project.warehouseScripts,
        warehouseBindings(fixture.context.environment.redshift),
        'r',
      ),
      (error: unknown) =>
        error instanceof MigrationMismatchError &&
        /V001__reporting_schema\.sql was changed after it was applied/.test(error.message),
    );
  } finally {
    await fixture.cleanup();
  }
});

test('stage tables the scripts read are copied into the local external schema', async () => {
  const fixture = await twinFixture((root) => {
    writeFileSync(
      join(root, 'redshift-scripts/migrations/V900__probe.sql'),
      'create view {{reporting_schema}}.probe as select event_id from {{stage_schema}}.auth_account_creation;\n',
    );
  });
  try {
    const twin = await LocalTwin.open(fixture.context);
    const run = await twin.run({ now: () => new Date(Date.now() + 3 * 86_400_000) });
    assert.equal(run.outcome, 'SUCCEEDED');
    const stage = await fixture.context.engine.execute(
      `select count(*) as n from ${fixture.context.names.stageDatabase}.auth_account_creation`,
    );
    const warehouse = await fixture.context.warehouse();
    const copied = await warehouse.refreshExternalTables();
    assert.ok(copied.tables.includes('spectrum_stage.auth_account_creation'), copied.tables.join(', '));
    assert.ok(
      copied.tables.every((t) => /^spectrum_(stage|raw)\.[a-z_]+$/.test(t)),
      'only tables the reporting scripts name',
    );
    const local = await warehouse.database.query('select count(*)::int as n from conformed.probe');
    assert.ok(Number(stage.rows[0]?.n) > 0);
    assert.equal(local.rows[0]?.n, Number(stage.rows[0]?.n));
  } finally {
    await fixture.cleanup();
  }
});

test('each refresh copies only the partitions whose rows changed, and the copy stays equal to the stage table', async () => {
  const fixture = await twinFixture();
  try {
    // Prepare: a run fills stage and copies it.
    const twin = await LocalTwin.open(fixture.context);
    const run = await twin.run({ now: () => new Date(Date.now() + 3 * 86_400_000) });
    assert.equal(run.outcome, 'SUCCEEDED');
    const { engine } = fixture.context;
    const stage = `${fixture.context.names.stageDatabase}.auth_account_creation`;
    const warehouse = await fixture.context.warehouse();
    const perPartition = async () => {
      const here = await engine.execute(
        `select processed_date::varchar as day, event_name, count(*)::int as n, count(distinct event_id)::int as ids from ${stage} group by all order by all`,
      );
      const there = await warehouse.database.query(
        'select processed_date::text as day, event_name, count(*)::int as n, count(distinct event_id)::int as ids from spectrum_stage.auth_account_creation group by 1, 2 order by 1, 2',
      );
      return { here: here.rows.map((r) => ({ ...r })), there: there.rows.map((r) => ({ ...r })) };
    };
    const loadOf = (result: Awaited<ReturnType<typeof warehouse.refreshExternalTables>>) =>
      result.loads.find((l) => l.table === 'spectrum_stage.auth_account_creation')?.partitions;

    // Act and assess: nothing changed, nothing copied.
    const unchanged = await warehouse.refreshExternalTables();
    assert.ok(unchanged.tables.includes('spectrum_stage.auth_account_creation'));
    assert.equal(loadOf(unchanged), undefined, JSON.stringify(unchanged.loads));

    // A new partition (a backfill on a new day): that one partition.
    await engine.execute(`create temp table late as select * from ${stage} limit 3`);
    await engine.execute("update late set event_id = event_id || '-late', processed_date = date '2031-01-01'");
    await engine.execute(`insert into ${stage} select * from late`);
    assert.equal(loadOf(await warehouse.refreshExternalTables()), 1);
    let compared = await perPartition();
    assert.deepEqual(compared.there, compared.here);

    // A row changed in an old partition: that partition again, its other rows kept.
    const [old] = (await engine.execute(`select processed_date, event_name from ${stage} order by 1 limit 1`)).rows;
    await engine.execute(
      `update ${stage} set event_id = event_id || '-edited' where event_id = (select min(event_id) from ${stage} where processed_date = ?::date and event_name = ?)`,
      { parameters: [String(old?.processed_date), String(old?.event_name)] },
    );
    assert.equal(loadOf(await warehouse.refreshExternalTables()), 1);
    const edited = await warehouse.database.query(
      "select count(*)::int as n from spectrum_stage.auth_account_creation where event_id like '%-edited'",
    );
    assert.equal(edited.rows[0]?.n, 1);

    // A partition gone from stage is gone from the copy.
    await engine.execute(`delete from ${stage} where processed_date = date '2031-01-01'`);
    assert.equal(loadOf(await warehouse.refreshExternalTables()), 1);
    compared = await perPartition();
    assert.deepEqual(compared.there, compared.here);
  } finally {
    await fixture.cleanup();
  }
});
