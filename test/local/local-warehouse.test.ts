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
