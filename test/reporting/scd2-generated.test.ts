import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadGeneratedCrmSnapshot, openScvWarehouse, refreshCrm } from '../helpers/scd2-fixture.ts';

// The benchmark's input (test/helpers/scd2-fixture.ts loadGeneratedCrmSnapshot) changes exactly the share of keys
// it says, so "type 2 merge on N keys with X% changed" measures what it claims.

test('a generated snapshot with X% changed keys makes exactly X% new versions', async () => {
  const scv = await openScvWarehouse();
  try {
    await loadGeneratedCrmSnapshot(scv, { keys: 2000, snapshotDate: '2026-01-01' });
    await refreshCrm(scv, 'g0');
    await loadGeneratedCrmSnapshot(scv, { keys: 2000, snapshotDate: '2026-01-08', changedPercent: 1, generation: 1 });
    await refreshCrm(scv, 'g1');
    await loadGeneratedCrmSnapshot(scv, { keys: 2000, snapshotDate: '2026-01-15', changedPercent: 10, generation: 2 });
    await refreshCrm(scv, 'g2');

    const changes = await scv.warehouse.query(
      `select to_char(snapshot_date, 'YYYY-MM-DD') as d, change_type as t, count(*)::int as n ` +
        `from ${scv.schema}.scd2_change_history_current group by 1, 2 order by 1, 2`,
    );
    assert.deepEqual(changes.rows, [
      { d: '2026-01-01', t: 'I', n: 2000 },
      { d: '2026-01-08', t: 'U', n: 20 },
      { d: '2026-01-15', t: 'U', n: 200 },
    ]);
    const current = await scv.warehouse.query(
      `select count(*)::int as n from ${scv.schema}.scd2_history where is_current`,
    );
    assert.equal(current.rows[0]?.n, 2000);
  } finally {
    await scv.close();
  }
});
