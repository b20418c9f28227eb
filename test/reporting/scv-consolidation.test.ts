import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  dumpReportingTables,
  insertExternalRows,
  loadCrmSnapshot,
  openScvWarehouse,
  type ScvWarehouse,
} from '../helpers/scd2-fixture.ts';

// Golden groups for a crafted set of people across every single customer view source, through the real
// sp_single_customer_view on the local warehouse.

let scv: ScvWarehouse;

const crmWeek1 = [
  {
    contact_id: 'C001',
    first_name: 'Ava',
    last_name: 'Patel',
    email: 'ava.patel@example.com',
    phone: '01134960001',
    organisation: 'Helping Hands Trust',
    updated_on: '2026-01-02',
  },
  {
    contact_id: 'C002',
    first_name: 'Ella',
    last_name: 'Murphy',
    email: 'ella@old-domain.example',
    phone: null,
    organisation: 'Coastal Trust',
    updated_on: '2025-12-01',
  },
  {
    contact_id: 'C003',
    first_name: 'Finn',
    last_name: 'Clarke',
    email: 'finn.clarke@example.com',
    phone: '01134960003',
    organisation: 'Dales Housing',
    updated_on: '2025-12-03',
  },
  {
    contact_id: 'C004',
    first_name: 'Kai',
    last_name: 'Brown',
    email: 'kai.brown@example.com',
    phone: '07700900111',
    organisation: null,
    updated_on: '2025-12-04',
  },
  {
    contact_id: 'C006',
    first_name: 'Zoe',
    last_name: 'Old',
    email: 'zoe@example.com',
    phone: null,
    organisation: null,
    updated_on: '2026-01-03',
  },
];
// week 2: Ella's email changed
const crmWeek2 = crmWeek1.map((c) =>
  c.contact_id === 'C002' ? { ...c, email: 'ella.murphy@coastal.example', updated_on: '2026-01-05' } : c,
);

async function call(runId: string): Promise<void> {
  await scv.warehouse.callProcedure(scv.schema, 'sp_single_customer_view', [runId]);
}

/**
 * Loads the crafted people into a fresh warehouse. `between`, when given, runs after the CRM snapshots and the
 * TxMA events (the first and last sources by name) and before every other source: another order of arrival, as a
 * recovery after a crash may take.
 */
async function loadPeople(scv: ScvWarehouse, between?: () => Promise<void>): Promise<void> {
  const raw = scv.rawSchema;
  const stage = scv.stageSchema;
  await loadCrmSnapshot(scv, '2026-01-01', crmWeek1);
  await loadCrmSnapshot(scv, '2026-01-08', crmWeek2);
  await insertExternalRows(scv, `${stage}.auth_account_creation`, [
    { event_id: 'e1', user_id: 'U-ava', email_address: 'ava.patel@example.com ', event_at: '2026-01-10 08:00:00' },
    { event_id: 'e2', user_id: 'U-smith', email_address: 'smith.family@example.com', event_at: '2026-01-11 08:00:00' },
  ]);
  await insertExternalRows(scv, `${stage}.ipv_identity_journey`, [
    { event_id: 'e3', user_id: 'U-ava', email_address: null, event_at: '2026-01-12 08:00:00' },
  ]);
  await between?.();
  await insertExternalRows(scv, `${raw}.shop_customers`, [
    {
      customer_id: 'S-tom',
      first_name: 'Tom',
      last_name: 'Smith',
      email: 'smith.family@example.com',
      phone: '07700900001',
      signed_up_on: '2025-10-01',
      ingested_at: '2026-01-02 06:00:00',
      source_row: 2,
    },
    {
      customer_id: 'S-ella',
      first_name: 'Ella',
      last_name: 'Murphy',
      email: 'ella@old-domain.example',
      phone: null,
      signed_up_on: '2025-11-01',
      ingested_at: '2026-01-02 06:00:00',
      source_row: 3,
    },
    {
      customer_id: 'S-finn',
      first_name: 'Finn',
      last_name: 'Clarke',
      email: null,
      phone: '01134960003',
      signed_up_on: '2025-11-02',
      ingested_at: '2026-01-02 06:00:00',
      source_row: 4,
    },
    {
      customer_id: 'S-kai',
      first_name: 'Kai',
      last_name: 'Brown',
      email: 'kai@example.com',
      phone: '07700900111',
      signed_up_on: '2025-11-03',
      ingested_at: '2026-01-02 06:00:00',
      source_row: 5,
    },
    // same day as the CRM's update of Zoe: a tie, which the CRM (source priority 1) wins
    {
      customer_id: 'S-zoe',
      first_name: 'Zoe',
      last_name: 'New',
      email: 'ZOE@example.com',
      phone: '07700900222',
      signed_up_on: '2026-01-03',
      ingested_at: '2026-01-04 06:00:00',
      source_row: 6,
    },
  ]);
  await insertExternalRows(scv, `${raw}.event_registrations`, [
    {
      registration_id: 'R1',
      first_name: 'Ava',
      last_name: 'Patel',
      email: ' Ava.Patel@Example.COM ',
      organisation: 'Helping Hands',
      registered_at: '2026-02-01 10:00:00',
      ingested_at: '2026-02-02 06:00:00',
      source_row: 2,
    },
    {
      registration_id: 'R2',
      first_name: 'Ann',
      last_name: 'Smith',
      email: 'Smith.Family@example.com',
      organisation: null,
      registered_at: '2026-01-15 10:00:00',
      ingested_at: '2026-02-02 06:00:00',
      source_row: 3,
    },
    {
      registration_id: 'R3',
      first_name: 'Finn',
      last_name: 'Clarke',
      email: null,
      organisation: 'Dales Housing',
      registered_at: '2026-01-16 10:00:00',
      ingested_at: '2026-02-02 06:00:00',
      source_row: 4,
    },
  ]);
  await insertExternalRows(scv, `${stage}.eventbrite`, [
    {
      event_id: '1001',
      attendee_id: '1001',
      first_name: 'AVA',
      last_name: 'PATEL',
      email_address: 'AVA.PATEL@EXAMPLE.COM',
      attendee_changed_at: '2026-01-20 09:00:00',
    },
    {
      event_id: '1002',
      attendee_id: '1002',
      first_name: 'Ella',
      last_name: 'Murphy',
      email_address: 'ella.murphy@coastal.example',
      attendee_changed_at: '2026-01-06 09:00:00',
    },
    {
      event_id: '1003',
      attendee_id: '1003',
      first_name: 'Kai',
      last_name: 'Brown',
      email_address: 'kai.brown@example.com',
      attendee_changed_at: '2026-01-07 09:00:00',
    },
  ]);
  await insertExternalRows(scv, `${stage}.smartsurvey`, [
    { event_id: '50001-1-1', survey_id: 812345, response_id: 50001, response_modified_at: '2026-01-14 09:07:00' },
    { event_id: '50001-2-1', survey_id: 812345, response_id: 50001, response_modified_at: '2026-01-14 09:07:00' },
  ]);
}

/** Each person as the first run leaves them: ids, customer and link, for comparing warehouses. */
let firstRun: Record<string, string>;

before(async () => {
  scv = await openScvWarehouse();
  await loadPeople(scv);
  await call('scv-1');
  firstRun = await dumpReportingTables(scv);
});
after(async () => {
  await scv.close();
});

interface PersonRow {
  source: string;
  native_id: string;
  federated_id: string;
  customer_id: string;
  match_key: string | null;
  match_explanation: string;
}

async function people(): Promise<PersonRow[]> {
  const result = await scv.warehouse.query(
    `select source, native_id, federated_id::text as federated_id, customer_id::text as customer_id, match_key, ` +
      `match_explanation from ${scv.schema}.scv_person order by source, native_id`,
  );
  return result.rows as unknown as PersonRow[];
}

function groups(rows: readonly PersonRow[]): string[][] {
  const byCustomer = new Map<string, string[]>();
  for (const row of rows) {
    byCustomer.set(row.customer_id, [...(byCustomer.get(row.customer_id) ?? []), `${row.source}:${row.native_id}`]);
  }
  return [...byCustomer.values()]
    .map((members) => members.sort())
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

test('people are linked into the golden groups', async () => {
  assert.deepEqual(groups(await people()), [
    // same email, different case and spaces, across four sources
    ['crm_contacts:C001', 'event_registrations:R1', 'eventbrite:1001', 'txma:U-ava'],
    // changed email: the CRM history holds both addresses, so the old one (shop) and the new one (Eventbrite) link
    ['crm_contacts:C002', 'eventbrite:1002', 'shop_customers:S-ella'],
    // missing email in the shop, linked by phone
    ['crm_contacts:C003', 'shop_customers:S-finn'],
    // transitive: shop -phone- CRM -email- Eventbrite
    ['crm_contacts:C004', 'eventbrite:1003', 'shop_customers:S-kai'],
    // a tie on the source timestamp
    ['crm_contacts:C006', 'shop_customers:S-zoe'],
    // shared family email with different first names: nobody linked by it
    ['event_registrations:R2'],
    // missing email, no other key
    ['event_registrations:R3'],
    ['shop_customers:S-tom'],
    // SmartSurvey responses carry no respondent identity
    ['smartsurvey:812345-50001'],
    ['txma:U-smith'],
  ]);
});

test('each record says which key linked it, or why it stands alone', async () => {
  const rows = new Map((await people()).map((row) => [`${row.source}:${row.native_id}`, row]));
  const explain = (id: string) => `${rows.get(id)?.match_key ?? '-'} | ${rows.get(id)?.match_explanation}`;
  assert.match(
    explain('event_registrations:R1'),
    /^email \| linked by email \(match key priority 1\): shared with 3 other/,
  );
  assert.match(explain('shop_customers:S-ella'), /^email \| linked by email/);
  assert.match(
    explain('shop_customers:S-finn'),
    /^phone \| linked by phone \(match key priority 2\): shared with 1 other/,
  );
  assert.match(explain('shop_customers:S-kai'), /^phone \| linked by phone/);
  assert.match(explain('crm_contacts:C004'), /^email \| linked by email .*shared with 1 other/, 'email outranks phone');
  for (const id of ['event_registrations:R2', 'shop_customers:S-tom', 'txma:U-smith']) {
    assert.match(explain(id), /^- \| not linked: its match key value is shared by records with different first names/);
  }
  assert.match(explain('event_registrations:R3'), /^- \| not linked: no match key value/);
  assert.match(explain('smartsurvey:812345-50001'), /^- \| not linked: no match rule for source smartsurvey/);
});

/** A federated id as the procedure computes it: the first 48 bits of md5(source || '|' || native_id), or of a try. */
function federatedIdOf(source: string, nativeId: string, attempt = 0): bigint {
  const text = `${attempt === 0 ? '' : `${attempt}|`}${source}|${nativeId}`;
  return BigInt(`0x${createHash('md5').update(text).digest('hex').slice(0, 12)}`);
}

test('each federated id is a function of its (source, native id); a customer id is the smallest of its group', async () => {
  const rows = await people();
  for (const r of rows) assert.equal(BigInt(r.federated_id), federatedIdOf(r.source, r.native_id), r.native_id);
  assert.equal(new Set(rows.map((r) => r.federated_id)).size, rows.length, 'no two records share an id');
  const byCustomer = new Map<string, number[]>();
  for (const r of rows)
    byCustomer.set(r.customer_id, [...(byCustomer.get(r.customer_id) ?? []), Number(r.federated_id)]);
  for (const [customer, ids] of byCustomer) {
    assert.equal(Number(customer), Math.min(...ids));
  }
});

test('ids do not depend on the order records arrive in: a run between sources ends where one run does', async () => {
  // Prepare: the CRM and TxMA first, consolidated on their own, then every other source (as a recovery may load them)
  const other = await openScvWarehouse();
  after(() => other.close());
  await loadPeople(other, () =>
    other.warehouse.callProcedure(other.schema, 'sp_single_customer_view', ['crm-and-txma']).then(() => undefined),
  );

  // Act
  await other.warehouse.callProcedure(other.schema, 'sp_single_customer_view', ['the-rest']);

  // Assess: the same ids, customers and links; only the run ids recorded differ
  const strip = (dump: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(dump).map(([table, rows]) => [
        table,
        (JSON.parse(rows) as Record<string, unknown>[]).map((row) =>
          Object.fromEntries(Object.entries(row).filter(([column]) => !/(run_id|_at)$/.test(column))),
        ),
      ]),
    );
  const scvTables = (dump: Record<string, string>) =>
    Object.fromEntries(Object.entries(strip(dump)).filter(([table]) => table.startsWith('scv_')));
  assert.deepEqual(scvTables(await dumpReportingTables(other)), scvTables(firstRun));
});

test('a record whose id is taken takes its next try, so no id is ever shared or changed', async () => {
  // Prepare: a warehouse where older ids already hold Eventbrite attendee 1001's first two tries
  const other = await openScvWarehouse();
  after(() => other.close());
  await loadPeople(other);
  await other.warehouse.callProcedure(other.schema, 'sp_scv_collect_records', ['collect']);
  for (const [native, attempt] of [
    ['L1', 0],
    ['L2', 1],
  ] as const) {
    const taken = federatedIdOf('eventbrite', '1001', attempt).toString();
    await other.warehouse.query(
      `insert into ${other.schema}.scv_federated_id (source, native_id, federated_id, first_seen_run_id, ` +
        `first_seen_at, is_deleted, changed_run_id, changed_at) values ('legacy', $1, ${taken}, 'r0', getdate(), false, 'r0', getdate())`,
      [native],
    );
  }

  // Act
  await other.warehouse.callProcedure(other.schema, 'sp_scv_federate', ['probe']);

  // Assess
  const ids = await other.warehouse.query(
    `select source, native_id, federated_id::text as id from ${other.schema}.scv_federated_id order by 1, 2`,
  );
  const idOf = (source: string, native: string) =>
    (ids.rows as { source: string; native_id: string; id: string }[]).find(
      (r) => r.source === source && r.native_id === native,
    )?.id;
  assert.equal(idOf('eventbrite', '1001'), federatedIdOf('eventbrite', '1001', 2).toString(), 'the third try');
  assert.equal(idOf('legacy', 'L1'), federatedIdOf('eventbrite', '1001', 0).toString(), 'older ids unchanged');
  assert.equal(idOf('eventbrite', '1002'), federatedIdOf('eventbrite', '1002').toString(), 'others as ever');
  assert.equal(new Set(ids.rows.map((r) => r.id)).size, ids.rows.length, 'no id is shared');
});

test('federated ids fit 15 digits: a spreadsheet and a JavaScript number keep them whole', async () => {
  const rows = await people();
  for (const r of rows) assert.ok(BigInt(r.federated_id) < 2n ** 48n && r.federated_id.length <= 15, r.federated_id);
});

test('survivorship: each attribute is the most recent non-blank value, ties by source priority', async () => {
  const customers = await scv.warehouse.query(
    `select c.first_name, c.last_name, c.email, c.phone, c.organisation, c.record_count::int as records, ` +
      `c.source_count::int as sources from ${scv.schema}.scv_customer c ` +
      `join ${scv.schema}.scv_person p on p.customer_id = c.customer_id ` +
      `where p.source || ':' || p.native_id in ('crm_contacts:C001', 'crm_contacts:C002', 'crm_contacts:C006') order by p.native_id`,
  );
  assert.deepEqual(customers.rows, [
    // R1 (2026-02-01) is the newest record of Ava's; the CRM phone is the only phone
    {
      first_name: 'Ava',
      last_name: 'Patel',
      email: ' Ava.Patel@Example.COM ',
      phone: '01134960001',
      organisation: 'Helping Hands',
      records: 4,
      sources: 4,
    },
    // Eventbrite (2026-01-06) is newer than the CRM's current version (updated 2026-01-05)
    {
      first_name: 'Ella',
      last_name: 'Murphy',
      email: 'ella.murphy@coastal.example',
      phone: null,
      organisation: 'Coastal Trust',
      records: 3,
      sources: 3,
    },
    // both records observed on 2026-01-03: the CRM's last name and email win the tie; the phone only the shop has
    {
      first_name: 'Zoe',
      last_name: 'Old',
      email: 'zoe@example.com',
      phone: '07700900222',
      organisation: null,
      records: 2,
      sources: 2,
    },
  ]);
});

test('calling the family twice, or any of its procedures twice, changes no table', async () => {
  const first = await dumpReportingTables(scv);
  await call('scv-1');
  await call('scv-again');
  assert.deepEqual(await dumpReportingTables(scv), first);
  for (const procedure of ['sp_scv_collect_records', 'sp_scv_federate', 'sp_scv_consolidate']) {
    await scv.warehouse.callProcedure(scv.schema, procedure, [`${procedure}-1`]);
    await scv.warehouse.callProcedure(scv.schema, procedure, [`${procedure}-2`]);
    assert.deepEqual(await dumpReportingTables(scv), first, procedure);
  }
  const audit = await scv.warehouse.query(
    `select run_id, count(*)::int as n from ${scv.schema}.procedure_audit where procedure_name = 'sp_single_customer_view' group by 1 order by 1`,
  );
  assert.deepEqual(audit.rows, [
    { run_id: 'scv-1', n: 2 },
    { run_id: 'scv-again', n: 1 },
  ]);
});

test('federated ids are never reused: a deleted contact keeps its id and gets it back when it returns', async () => {
  const idOf = async (source: string, nativeId: string) => {
    const result = await scv.warehouse.query(
      `select federated_id::text as id, is_deleted from ${scv.schema}.scv_federated_id where source = $1 and native_id = $2`,
      [source, nativeId],
    );
    return result.rows[0] as { id: string; is_deleted: boolean } | undefined;
  };
  const before = await idOf('crm_contacts', 'C001');
  assert.ok(before);

  // week 3: C001 gone, a new contact C005 arrives
  await loadCrmSnapshot(scv, '2026-01-15', [
    ...crmWeek2.filter((c) => c.contact_id !== 'C001'),
    {
      contact_id: 'C005',
      first_name: 'Lily',
      last_name: 'Reed',
      email: 'lily@example.com',
      phone: null,
      organisation: null,
      updated_on: '2026-01-14',
    },
  ]);
  await call('scv-week3');
  assert.deepEqual(await idOf('crm_contacts', 'C001'), { id: before.id, is_deleted: true });
  const lily = federatedIdOf('crm_contacts', 'C005').toString();
  assert.equal((await idOf('crm_contacts', 'C005'))?.id, lily, "a new id of its own, not C001's");
  const ava = groups(await people()).find((g) => g.includes('event_registrations:R1'));
  assert.deepEqual(ava, ['event_registrations:R1', 'eventbrite:1001', 'txma:U-ava'], 'the others stay linked');

  // week 4: C001 is back
  await loadCrmSnapshot(scv, '2026-01-22', crmWeek2);
  await call('scv-week4');
  assert.deepEqual(await idOf('crm_contacts', 'C001'), { id: before.id, is_deleted: false });
  assert.deepEqual(await idOf('crm_contacts', 'C005'), { id: lily, is_deleted: true });
  const ids = await scv.warehouse.query(
    `select count(*)::int as n, count(distinct federated_id)::int as d from ${scv.schema}.scv_federated_id`,
  );
  assert.equal(ids.rows[0]?.n, ids.rows[0]?.d, 'no id is used twice');
});
