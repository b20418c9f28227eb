import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadProject } from '../../lib/config/loader.ts';
import { warehouseScriptsWithRunner } from '../../lib/core/migrations.ts';
import { reportingRunnerRole } from '../../lib/core/model/names.ts';
import { openProjectWarehouse, type ScvWarehouse } from '../helpers/scd2-fixture.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

// The reporting Lambda's database role, as the generated role and grant scripts leave it, on the real local
// warehouse: it runs every family's procedure and can change no object and reach no other schema.

let db: ScvWarehouse;
const role = reportingRunnerRole('conformed');

before(async () => {
  const project = loadProject(REPO_ROOT);
  db = await openProjectWarehouse(project, warehouseScriptsWithRunner(project));
  await db.warehouse.execute('create schema private; create table private.secrets (x int);');
});
after(() => db.close());

test("the runner role runs every family's procedure, a failing one records its failure first", async () => {
  // Act
  for (const procedure of ['sp_user_journey', 'sp_single_customer_view']) {
    await db.warehouse.callProcedure(db.schema, procedure, ['runner-1'], { asRole: role });
  }
  await db.warehouse.execute('alter table spectrum_stage.orch_spot rename to orch_spot_gone');
  const failed = db.warehouse.callProcedure(db.schema, 'sp_user_journey', ['runner-fail'], { asRole: role });
  await assert.rejects(failed, /sp_user_journey\(runner-fail\) failed/);
  await db.warehouse.execute('alter table spectrum_stage.orch_spot_gone rename to orch_spot');

  // Assess
  const audit = await db.warehouse.query(
    `select procedure_name, status from ${db.schema}.procedure_audit where run_id = 'runner-1' order by 1`,
  );
  const families = audit.rows.filter(
    (r) =>
      String(r.procedure_name).startsWith('sp_user_journey') || String(r.procedure_name) === 'sp_single_customer_view',
  );
  assert.deepEqual(families, [
    { procedure_name: 'sp_single_customer_view', status: 'SUCCEEDED' },
    { procedure_name: 'sp_user_journey', status: 'SUCCEEDED' },
  ]);
  const failure = await db.warehouse.query(
    `select status from ${db.schema}.procedure_audit where run_id = 'runner-fail' and procedure_name = 'sp_user_journey'`,
  );
  assert.deepEqual(failure.rows, [{ status: 'FAILED' }], 'the failure was committed before the error was raised');
});

test('the runner role creates, alters and drops nothing, and reaches no other schema', async () => {
  // Act
  const attempts = {
    create: `create table ${db.schema}.sneaky (x int)`,
    drop: `drop table ${db.schema}.procedure_audit`,
    alter: `alter table ${db.schema}.scv_customer add column sneaky int`,
    procedure: `create or replace procedure ${db.schema}.sp_sneaky() as $$ begin null; end; $$ language plpgsql`,
    other: 'select count(*) from private.secrets',
    role: 'create role sneaky',
  };
  const outcomes: Record<string, string> = {};
  await db.warehouse.execute(`set role ${role}`);
  try {
    for (const [name, sql] of Object.entries(attempts)) {
      outcomes[name] = await db.warehouse.query(sql).then(
        () => 'allowed',
        (error: Error) => (/permission denied|must be owner/.test(error.message) ? 'denied' : error.message),
      );
    }
  } finally {
    await db.warehouse.execute('reset role');
  }

  // Assess
  assert.deepEqual(outcomes, {
    create: 'denied',
    drop: 'denied',
    alter: 'denied',
    procedure: 'denied',
    other: 'denied',
    role: 'denied',
  });
});

test('a call under the role changes nothing for the next statement: the session is the superuser again', async () => {
  // Act
  await db.warehouse.callProcedure(db.schema, 'sp_user_journey', ['runner-2'], { asRole: role });
  const who = await db.warehouse.query('select current_user as name');

  // Assess
  assert.notEqual(who.rows[0]?.name, role);
});
