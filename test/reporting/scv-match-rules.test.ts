import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openScvWarehouse, type ScvWarehouse } from '../helpers/scd2-fixture.ts';

// Match rules are data: nothing in them reaches SQL as text. A rule names one of the normalisers the procedure
// knows (email, phone); anything else is refused when the consolidation runs.

let scv: ScvWarehouse;

before(async () => {
  scv = await openScvWarehouse();
});
after(async () => {
  await scv.close();
});

test('a match rule carries a normaliser name, not SQL', async () => {
  const columns = await scv.warehouse.query(
    `select column_name from information_schema.columns where table_schema = '${scv.schema}' and table_name = 'scv_match_rule' order by ordinal_position`,
  );
  const names = columns.rows.map((row) => String(row.column_name));
  assert.ok(names.includes('normaliser'), names.join(', '));
  assert.ok(!names.includes('key_expression'), 'no column of SQL text to splice');
});

test('a rule with an unknown normaliser stops the consolidation, naming it; no statement of its text runs', async () => {
  // Prepare: SQL where a normaliser name belongs (the old procedure pasted key_expression into EXECUTE)
  await scv.warehouse.execute(
    `insert into ${scv.schema}.scv_match_rule (source, key_name, normaliser, priority, ambiguous_if_first_names_differ)
     values ('crm_contacts', 'pwn', 'email); drop table t; --', 9, false)`,
  );

  // Act
  const error = await scv.warehouse.callProcedure(scv.schema, 'sp_scv_consolidate', ['rules-1']).then(
    () => undefined,
    (caught: unknown) => caught,
  );

  // Assess
  assert.ok(error instanceof Error);
  assert.match(
    error.message,
    /unknown normaliser "email\); drop table t; --" for crm_contacts\.pwn: expected email or phone/,
  );
  await scv.warehouse.execute(`delete from ${scv.schema}.scv_match_rule where key_name = 'pwn'`);
});
