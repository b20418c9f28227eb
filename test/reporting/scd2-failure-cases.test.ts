import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import {
  type CrmVersion,
  crmChanges,
  crmHistory,
  dumpReportingTables,
  loadCrmSnapshot,
  openScvWarehouse,
  refreshCrm,
  resetCrm,
  type ScvWarehouse,
} from '../helpers/scd2-fixture.ts';

// The failures popular snapshot tools are known for (REFERENCE.md), each as its own case on the real procedures.

let scv: ScvWarehouse;
before(async () => {
  scv = await openScvWarehouse();
});
afterEach(async () => {
  await resetCrm(scv);
});
after(async () => {
  await scv.close();
});

function spans(history: readonly CrmVersion[], key: string): string[] {
  return history
    .filter((v) => v.contact_id === key)
    .map(
      (v) => `${v.valid_from}..${v.valid_to} ${v.is_deleted ? 'deleted' : v.status}${v.is_current ? ' current' : ''}`,
    );
}

const ava = (status: string) => ({ contact_id: 'C1', first_name: 'Ava', email: 'ava@example.com', status });

test('a value that reverts (A → B → A) makes three versions and one current row', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active')]);
  await refreshCrm(scv, 'r1');
  await loadCrmSnapshot(scv, '2026-01-08', [ava('inactive')]);
  await refreshCrm(scv, 'r2');
  await loadCrmSnapshot(scv, '2026-01-15', [ava('active')]);
  await refreshCrm(scv, 'r3');
  await refreshCrm(scv, 'r4');

  assert.deepEqual(spans(await crmHistory(scv), 'C1'), [
    '2026-01-01..2026-01-08 active',
    '2026-01-08..2026-01-15 inactive',
    '2026-01-15..9999-12-31 active current',
  ]);
  assert.deepEqual(await crmChanges(scv), ['2026-01-01 I C1', '2026-01-08 U C1', '2026-01-15 U C1']);
});

test('a NULL or blank key is rejected once per file row, never a version, whatever the number of runs', async () => {
  const keyless = [
    { contact_id: null, first_name: 'Nobody' },
    { contact_id: '   ', first_name: 'Blank' },
  ];
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active'), ...keyless]);
  for (const run of ['r1', 'r2', 'r3']) await refreshCrm(scv, run);
  await loadCrmSnapshot(scv, '2026-01-08', [ava('active'), ...keyless]);
  for (const run of ['r4', 'r5']) await refreshCrm(scv, run);

  const history = await crmHistory(scv);
  assert.deepEqual(
    history.map((v) => v.contact_id),
    ['C1'],
    'only the keyed contact, one version',
  );
  const rejects = await scv.warehouse.query(
    `select to_char(snapshot_date, 'YYYY-MM-DD') as d, source_row, reason, recorded_run_id from ${scv.schema}.scd2_reject order by 1, 2`,
  );
  assert.deepEqual(
    rejects.rows.map((r) => `${r.d} row ${r.source_row} ${r.recorded_run_id}`),
    ['2026-01-01 row 3 r1', '2026-01-01 row 4 r1', '2026-01-08 row 3 r4', '2026-01-08 row 4 r4'],
  );
  assert.match(String(rejects.rows[0]?.reason), /key contact_id is null or blank/);
  const applied = await scv.warehouse.query(
    `select row_count::int as loaded, rejected_count::int as rejected from ${scv.schema}.scd2_applied_snapshot order by snapshot_date`,
  );
  assert.deepEqual(applied.rows, [
    { loaded: 1, rejected: 2 },
    { loaded: 1, rejected: 2 },
  ]);
});

test('a key deleted from the snapshot is closed once, across repeated runs and later snapshots', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active'), { contact_id: 'C2', first_name: 'Ben', status: 'active' }]);
  await refreshCrm(scv, 'r1');
  await loadCrmSnapshot(scv, '2026-01-08', [ava('active')]);
  for (const run of ['r2', 'r3', 'r4']) await refreshCrm(scv, run);
  await loadCrmSnapshot(scv, '2026-01-15', [ava('active')]);
  for (const run of ['r5', 'r6']) await refreshCrm(scv, run);

  assert.deepEqual(spans(await crmHistory(scv), 'C2'), [
    '2026-01-01..2026-01-08 active',
    '2026-01-08..9999-12-31 deleted current',
  ]);
  assert.deepEqual(await crmChanges(scv), ['2026-01-01 I C1', '2026-01-01 I C2', '2026-01-08 D C2']);
});

test('a key that returns opens a new version after its deletion', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active')]);
  await refreshCrm(scv, 'r1');
  await loadCrmSnapshot(scv, '2026-01-08', []);
  await refreshCrm(scv, 'r2');
  await loadCrmSnapshot(scv, '2026-01-15', [ava('active')]);
  await refreshCrm(scv, 'r3');
  await refreshCrm(scv, 'r4');

  assert.deepEqual(spans(await crmHistory(scv), 'C1'), [
    '2026-01-01..2026-01-08 active',
    '2026-01-08..2026-01-15 deleted',
    '2026-01-15..9999-12-31 active current',
  ]);
  assert.deepEqual(await crmChanges(scv), ['2026-01-01 I C1', '2026-01-08 D C1', '2026-01-15 I C1']);
});

test('a backdated change is inserted between the versions it falls between, splitting validity', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active')]);
  await refreshCrm(scv, 'r1');
  await loadCrmSnapshot(scv, '2026-01-15', [ava('active')]);
  await refreshCrm(scv, 'r2');
  await loadCrmSnapshot(scv, '2026-01-29', [ava('do_not_contact')]);
  await refreshCrm(scv, 'r3');
  // a snapshot dated 2026-01-08 arrives last
  await loadCrmSnapshot(scv, '2026-01-08', [ava('inactive')]);
  await refreshCrm(scv, 'r4');

  const history = await crmHistory(scv);
  assert.deepEqual(spans(history, 'C1'), [
    '2026-01-01..2026-01-08 active',
    '2026-01-08..2026-01-15 inactive',
    '2026-01-15..2026-01-29 active',
    '2026-01-29..9999-12-31 do_not_contact current',
  ]);
  assert.deepEqual(await crmChanges(scv), ['2026-01-01 I C1', '2026-01-08 U C1', '2026-01-15 U C1', '2026-01-29 U C1']);
  // the first version keeps the run that created it; the split is recorded against the late run
  const first = history.find((v) => v.valid_from === '2026-01-01');
  const row = await scv.warehouse.query(
    `select created_run_id, updated_run_id from ${scv.schema}.dim_crm_contact_history where valid_from = '2026-01-01'`,
  );
  assert.ok(first);
  assert.deepEqual(row.rows[0], { created_run_id: 'r1', updated_run_id: 'r4' });
});

test('a backdated deletion splits the version too, and the key comes back at the next snapshot', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active')]);
  await refreshCrm(scv, 'r1');
  await loadCrmSnapshot(scv, '2026-01-15', [ava('active')]);
  await refreshCrm(scv, 'r2');
  await loadCrmSnapshot(scv, '2026-01-08', [{ contact_id: 'C9', first_name: 'Other' }]);
  await refreshCrm(scv, 'r3');

  const history = await crmHistory(scv);
  assert.deepEqual(spans(history, 'C1'), [
    '2026-01-01..2026-01-08 active',
    '2026-01-08..2026-01-15 deleted',
    '2026-01-15..9999-12-31 active current',
  ]);
  assert.deepEqual(spans(history, 'C9'), ['2026-01-08..2026-01-15 null', '2026-01-15..9999-12-31 deleted current']);
});

test('the same snapshot processed twice (a re-delivered copy, repeated and concurrent calls) changes nothing', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active'), { contact_id: 'C2', first_name: 'Ben' }]);
  await loadCrmSnapshot(scv, '2026-01-08', [ava('inactive')]);
  await refreshCrm(scv, 'twice-1');
  const once = await dumpReportingTables(scv);

  await refreshCrm(scv, 'twice-1');
  await refreshCrm(scv, 'twice-2');
  await Promise.all([refreshCrm(scv, 'twice-3'), refreshCrm(scv, 'twice-4')]);
  assert.deepEqual(await dumpReportingTables(scv), once, 'repeated and concurrent calls change no table');

  // the same content again under another file (a re-delivery), ingested later: the history stays as it is
  await loadCrmSnapshot(scv, '2026-01-08', [ava('inactive')], {
    fileHash: 'redelivered',
    ingestedAt: '2026-01-09 06:00:00',
  });
  await refreshCrm(scv, 'twice-5');
  const after = await dumpReportingTables(scv);
  assert.equal(after.scd2_history, once.scd2_history);
  assert.equal(after.scd2_change_history, once.scd2_change_history);

  const audit = await scv.warehouse.query(
    `select procedure_name, count(*)::int as calls from ${scv.schema}.procedure_audit where run_id like 'twice-%' group by 1 order by 1`,
  );
  assert.deepEqual(audit.rows, [
    { procedure_name: 'sp_scd2_apply', calls: 3 },
    { procedure_name: 'sp_scd2_refresh', calls: 6 },
  ]);
});

test('a corrected file for an applied date (ingested later) replaces that date’s state', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active')]);
  await loadCrmSnapshot(scv, '2026-01-08', [ava('inactive')]);
  await refreshCrm(scv, 'r1');
  await loadCrmSnapshot(scv, '2026-01-08', [ava('active')], {
    fileHash: 'corrected',
    ingestedAt: '2026-01-09 06:00:00',
  });
  await refreshCrm(scv, 'r2');

  assert.deepEqual(spans(await crmHistory(scv), 'C1'), ['2026-01-01..9999-12-31 active current']);
  assert.deepEqual(await crmChanges(scv), ['2026-01-01 I C1']);
  const superseded = await scv.warehouse.query(
    `select change_type, superseded_run_id from ${scv.schema}.scd2_change_history where superseded_run_id is not null`,
  );
  assert.deepEqual(superseded.rows, [{ change_type: 'U', superseded_run_id: 'r2' }], 'kept, marked superseded');
});

test('a key repeated within one file keeps its last row and rejects the others once', async () => {
  await loadCrmSnapshot(scv, '2026-01-01', [ava('active'), ava('inactive')]);
  await refreshCrm(scv, 'r1');
  await refreshCrm(scv, 'r2');

  assert.deepEqual(spans(await crmHistory(scv), 'C1'), ['2026-01-01..9999-12-31 inactive current']);
  const rejects = await scv.warehouse.query(`select source_row, reason from ${scv.schema}.scd2_reject`);
  assert.equal(rejects.rows.length, 1);
  assert.equal(rejects.rows[0]?.source_row, 2);
  assert.match(String(rejects.rows[0]?.reason), /repeated in the snapshot file/);
});

test('an unknown entity fails with a message naming the config table and file', async () => {
  await assert.rejects(
    scv.warehouse.callProcedure(scv.schema, 'sp_scd2_refresh', ['r1', 'no_such_entity']),
    /unknown snapshot entity "no_such_entity".*scd2_entity.*scd2_entities\.sql/,
  );
});
