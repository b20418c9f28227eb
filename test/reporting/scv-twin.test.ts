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

    // the people the samples share (lib/core/samples/people.ts) are consolidated: fewer customers than records
    const [totals] = await query(
      'select count(*)::int as customers, sum(record_count)::int as records from conformed.scv_customer',
    );
    assert.ok(Number(totals?.customers) < Number(totals?.records), JSON.stringify(totals));
    const customerOf = async (source: string, nativeId: string) =>
      (
        await query(
          `select customer_id from conformed.scv_person where source = '${source}' and native_id = '${nativeId}'`,
        )
      )[0]?.customer_id;
    const recordsOf = async (customerId: unknown) =>
      (
        await query(
          `select source, native_id, email, match_key from conformed.scv_person where customer_id = ${customerId} ` +
            'order by source, native_id',
        )
      ).map((r) => ({ ...r, native_id: r.source === 'txma' ? 'urn:…' : r.native_id }) as Record<string, unknown>);
    const customer = async (customerId: unknown) =>
      (
        await query(
          `select first_name, last_name, record_count::int as records, source_count::int as sources ` +
            `from conformed.scv_customer where customer_id = ${customerId}`,
        )
      )[0];

    // Jane Doe: the e-mail in every spelling (' JANE.DOE@EXAMPLE.COM ' in the shop, 'Jane.Doe@Example.com ' on
    // Eventbrite, 'jane.doe@example.com' in the CRM and One Login) is one customer with records from five sources
    const jane = await customerOf('crm_contacts', 'C002');
    assert.deepEqual(await customer(jane), { first_name: 'Jane', last_name: 'Doe', records: 5, sources: 5 });
    assert.deepEqual(await recordsOf(jane), [
      { source: 'crm_contacts', native_id: 'C002', email: 'jane.doe@example.com', match_key: 'email' },
      { source: 'event_registrations', native_id: 'R7002', email: 'jane.doe@example.com', match_key: 'email' },
      { source: 'eventbrite', native_id: '1300004005', email: 'Jane.Doe@Example.com ', match_key: 'email' },
      { source: 'shop_customers', native_id: 'C10002', email: 'jane.doe@example.com', match_key: 'email' },
      { source: 'txma', native_id: 'urn:…', email: 'jane.doe@example.com', match_key: 'email' },
    ]);

    // Ella Murphy changed e-mail: the shop's old address and the new one elsewhere meet in the CRM's history
    const ellaId = await customerOf('crm_contacts', 'C005');
    assert.deepEqual(await customer(ellaId), { first_name: 'Ella', last_name: 'Murphy', records: 4, sources: 4 });
    assert.deepEqual(
      (await recordsOf(ellaId)).map((r) => [r.source, r.email]),
      [
        ['crm_contacts', 'ella.murphy@coastal.example'],
        ['eventbrite', 'Ella.Murphy@Coastal.example'],
        ['shop_customers', 'ella@old-domain.example'],
        ['txma', 'ella.murphy@coastal.example'],
      ],
    );

    // Kai Brown gave the shop another e-mail but the CRM's phone: linked by phone
    const kai = await customerOf('crm_contacts', 'C011');
    assert.deepEqual(
      (await recordsOf(kai)).map((r) => [r.source, r.native_id, r.match_key]),
      [
        ['crm_contacts', 'C011', 'email'],
        ['event_registrations', 'R7005', 'email'],
        ['shop_customers', 'C10011', 'phone'],
      ],
    );

    // a shared mailbox (Chidi and Ngozi Okafor, one address): never merged, two customers, and it says why
    const mailbox = await query(
      `select p.source, p.first_name, c.record_count::int as records, p.match_explanation ` +
        `from conformed.scv_person p join conformed.scv_customer c using (customer_id) ` +
        `where lower(trim(p.email)) = 'okafor.family@example.com' order by p.source`,
    );
    const why =
      'not linked: its match key value is shared by records with different first names (treated as a shared mailbox)';
    assert.deepEqual(mailbox, [
      { source: 'event_registrations', first_name: 'Ngozi', records: 1, match_explanation: why },
      { source: 'shop_customers', first_name: 'Chidi', records: 1, match_explanation: why },
    ]);

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
