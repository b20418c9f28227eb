import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestShippedSamples } from '../../lib/local/ingest-samples.ts';
import { pullShippedSamples } from '../../lib/local/pull-samples.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { enableOnlyReportingFamily, REPO_ROOT, twinFixture } from '../helpers/twin-fixture.ts';

// End to end on the twin with the shipped samples: CRM snapshots and shop/registration files ingested, Eventbrite
// and SmartSurvey pulled, TxMA events, then the state machine calls sp_single_customer_view.

function enableSingleCustomerView(root: string): void {
  enableOnlyReportingFamily(root, 'single_customer_view');
  cpSync(join(REPO_ROOT, 'samples'), join(root, 'samples'), { recursive: true });
}

test('the state machine builds the single customer view from the shipped samples, and a second run changes nothing', async () => {
  const fixture = await twinFixture(enableSingleCustomerView);
  try {
    // Prepare
    await ingestShippedSamples(fixture.context);
    await pullShippedSamples(fixture.context);
    const twin = await LocalTwin.open(fixture.context);
    const now = () => new Date(Date.now() + 3 * 86_400_000);

    // Act
    const run = await twin.run({ now });

    // Assess
    assert.equal(run.outcome, 'SUCCEEDED', JSON.stringify(run, null, 1).slice(0, 2000));
    const warehouse = await fixture.context.warehouse();
    const query = async (sql: string) => (await warehouse.database.query(sql)).rows;

    // type 2 history of the two CRM snapshots (2026-11-09, 2026-11-16)
    const changes = await query(
      `select to_char(snapshot_date, 'YYYY-MM-DD') as d, change_type as t, count(*)::int as n ` +
        `from conformed.scd2_change_history_current group by 1, 2 order by 1, 2`,
    );
    assert.deepEqual(changes, [
      { d: '2026-11-09', t: 'I', n: 10 },
      { d: '2026-11-16', t: 'D', n: 1 }, // C003 left the CRM
      { d: '2026-11-16', t: 'I', n: 2 }, // C011, C012 joined
      { d: '2026-11-16', t: 'U', n: 2 }, // C005 changed email, C007 became inactive
    ]);
    const ella = await query(
      `select email, to_char(valid_from, 'YYYY-MM-DD') as valid_from, is_current from conformed.dim_crm_contact_history ` +
        `where contact_id = 'C005' order by valid_from`,
    );
    assert.deepEqual(ella, [
      { email: 'ella@old-domain.example', valid_from: '2026-11-09', is_current: false },
      { email: 'ella.murphy@coastal.example', valid_from: '2026-11-16', is_current: true },
    ]);

    // every live record of every source is in the view, with a customer and an explanation
    const sources = await query(
      `select source, count(*)::int as records, sum(case when match_explanation <> '' then 1 else 0 end)::int as explained ` +
        `from conformed.scv_person group by 1 order by 1`,
    );
    const records = Object.fromEntries(sources.map((s) => [s.source, s.records]));
    assert.equal(records.crm_contacts, 11, 'C001..C012 but C003');
    assert.equal(records.shop_customers, 20);
    assert.equal(records.event_registrations, 24);
    assert.equal(records.eventbrite, 9);
    assert.equal(records.smartsurvey, 4);
    assert.ok(Number(records.txma) > 0, `TxMA users: ${records.txma}`);
    for (const s of sources) assert.equal(s.explained, s.records);
    const audit = await query(
      `select status, message from conformed.procedure_audit where procedure_name = 'sp_single_customer_view'`,
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.status, 'SUCCEEDED');

    // a second run with nothing new leaves every table as it was
    const dump = async () => {
      const rows: Record<string, unknown> = {};
      for (const table of ['scd2_history', 'scd2_change_history', 'scv_federated_id', 'scv_person', 'scv_customer']) {
        rows[table] = await query(`select * from conformed.${table} order by 1, 2, 3, 4`);
      }
      return JSON.stringify(rows);
    };
    const before = await dump();
    const again = await twin.run({ now });
    assert.equal(again.outcome, 'SUCCEEDED');
    assert.equal(await dump(), before);
  } finally {
    await fixture.cleanup();
  }
});
