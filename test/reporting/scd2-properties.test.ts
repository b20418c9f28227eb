import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SeededRandom } from '../../lib/core/samples/random.ts';
import {
  type CrmContact,
  type CrmVersion,
  crmChanges,
  crmHistory,
  loadCrmSnapshot,
  openScvWarehouse,
  refreshCrm,
  resetCrm,
  type ScvWarehouse,
} from '../helpers/scd2-fixture.ts';

// Property tests of the type 2 history (sp_scd2_refresh / sp_scd2_apply on the local warehouse): seeded random
// sequences of full CRM snapshots, applied in date order or shuffled (so later files are backdated), sometimes
// delivered twice, with NULL-key rows; after each sequence the invariants must hold.

const SEQUENCES = 50;
const KEYS = ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7'];
const ATTRIBUTES = ['first_name', 'email', 'status'] as const;
const VALUES: Record<(typeof ATTRIBUTES)[number], readonly (string | null)[]> = {
  first_name: ['Ava', 'Ben', null],
  email: ['a@example.com', 'b@example.com'],
  status: ['active', 'inactive'],
};

interface Snapshot {
  readonly date: string;
  readonly rows: readonly CrmContact[];
}

function day(offset: number): string {
  return new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

function randomSequence(random: SeededRandom): Snapshot[] {
  const count = random.int(2, 6);
  const offsets = new Set<number>();
  while (offsets.size < count) offsets.add(random.int(0, 60));
  const dates = [...offsets].sort((a, b) => a - b).map(day);
  // each key drifts a little from one snapshot to the next, so values often stay, change, revert, vanish, return
  const state = new Map<string, Record<string, string | null> | null>();
  return dates.map((date) => {
    const rows: CrmContact[] = [];
    for (const key of KEYS) {
      const previous = state.get(key) ?? null;
      let next: Record<string, string | null> | null;
      if (previous === null) next = random.chance(0.6) ? freshValues(random) : null;
      else if (random.chance(0.15)) next = null;
      else {
        next = { ...previous };
        for (const attribute of ATTRIBUTES) if (random.chance(0.25)) next[attribute] = random.pick(VALUES[attribute]);
      }
      state.set(key, next);
      if (next) rows.push({ contact_id: key, ...next });
    }
    // a full snapshot with no keyed row still reaches raw as a file (here: its one keyless row)
    if (rows.length === 0 || random.chance(0.3))
      rows.push({ contact_id: random.pick([null, '', '  ']), first_name: 'no key' });
    return { date, rows };
  });
}

function freshValues(random: SeededRandom): Record<string, string | null> {
  return Object.fromEntries(ATTRIBUTES.map((attribute) => [attribute, random.pick(VALUES[attribute])]));
}

function keyed(rows: readonly CrmContact[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const row of rows) {
    if (!row.contact_id?.trim()) continue;
    map.set(row.contact_id, JSON.stringify(ATTRIBUTES.map((a) => row[a] ?? null)));
  }
  return map;
}

function versionValues(version: CrmVersion): string {
  return JSON.stringify(ATTRIBUTES.map((a) => version[a] ?? null));
}

let scv: ScvWarehouse;
before(async () => {
  scv = await openScvWarehouse();
});
after(async () => {
  await scv.close();
});

test(`type 2 invariants hold over ${SEQUENCES} seeded random snapshot sequences (in order, backdated, redelivered)`, async () => {
  const random = new SeededRandom(20261121);
  let backdatedSequences = 0;
  for (let sequence = 0; sequence < SEQUENCES; sequence++) {
    await resetCrm(scv);
    const snapshots = randomSequence(random);
    const order = [...snapshots];
    const shuffled = sequence % 2 === 1;
    if (shuffled) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [order[i], order[j]] = [order[j] as Snapshot, order[i] as Snapshot];
      }
      if (order.some((s, i) => i > 0 && s.date < (order[i - 1] as Snapshot).date)) backdatedSequences++;
    }
    for (const [index, snapshot] of order.entries()) {
      await loadCrmSnapshot(scv, snapshot.date, snapshot.rows);
      await refreshCrm(scv, `seq${sequence}-run${index}`);
      if (random.chance(0.2)) await refreshCrm(scv, `seq${sequence}-again${index}`);
    }
    const context = `sequence ${sequence} (${shuffled ? 'shuffled' : 'in order'}): ${order.map((s) => s.date).join(' → ')}`;
    const history = await crmHistory(scv);
    const byKey = new Map<string, CrmVersion[]>();
    for (const version of history) byKey.set(version.contact_id, [...(byKey.get(version.contact_id) ?? []), version]);
    const everSeen = new Set(snapshots.flatMap((s) => [...keyed(s.rows).keys()]));
    assert.deepEqual([...byKey.keys()].sort(), [...everSeen].sort(), `${context}: keys in the history`);

    for (const [key, versions] of byKey) {
      // exactly one current row per key, and it is the last one, open-ended
      assert.equal(versions.filter((v) => v.is_current).length, 1, `${context}: ${key} has one current row`);
      assert.equal(versions.at(-1)?.is_current, true, `${context}: ${key}'s last version is current`);
      assert.equal(versions.at(-1)?.valid_to, '9999-12-31', `${context}: ${key} is open-ended`);
      // no overlap, no gap: each version ends where the next begins; no empty version; no two equal in a row
      for (let i = 0; i < versions.length; i++) {
        const version = versions[i] as CrmVersion;
        assert.ok(version.valid_from < version.valid_to, `${context}: ${key} version ${i} is not empty`);
        const next = versions[i + 1];
        if (!next) continue;
        assert.equal(version.valid_to, next.valid_from, `${context}: ${key} versions ${i}/${i + 1} meet`);
        const same = version.is_deleted === next.is_deleted && versionValues(version) === versionValues(next);
        assert.ok(!same, `${context}: ${key} versions ${i} and ${i + 1} differ`);
      }
      assert.equal(versions[0]?.is_deleted, false, `${context}: ${key} starts live`);
    }

    // the history as of each snapshot date is that snapshot
    for (const snapshot of snapshots) {
      const asOf = new Map(
        history
          .filter((v) => v.valid_from <= snapshot.date && snapshot.date < v.valid_to && !v.is_deleted)
          .map((v) => [v.contact_id, versionValues(v)]),
      );
      assert.deepEqual([...asOf].sort(), [...keyed(snapshot.rows)].sort(), `${context}: as of ${snapshot.date}`);
    }

    // change history in force = I/U/D between consecutive snapshots (by date)
    const expected: string[] = [];
    let previous = new Map<string, string>();
    for (const snapshot of snapshots) {
      const current = keyed(snapshot.rows);
      for (const [key, values] of current) {
        const before = previous.get(key);
        if (before === undefined) expected.push(`${snapshot.date} I ${key}`);
        else if (before !== values) expected.push(`${snapshot.date} U ${key}`);
      }
      for (const key of previous.keys()) if (!current.has(key)) expected.push(`${snapshot.date} D ${key}`);
      previous = current;
    }
    assert.deepEqual(await crmChanges(scv), expected.sort(), `${context}: change history`);

    // every previous_snapshot_date is the snapshot before, by date
    const pairs = await scv.warehouse.query(
      `select distinct to_char(snapshot_date, 'YYYY-MM-DD') as d, to_char(previous_snapshot_date, 'YYYY-MM-DD') as p ` +
        `from ${scv.schema}.scd2_change_history_current where entity = 'crm_contact'`,
    );
    const dates = snapshots.map((s) => s.date);
    for (const row of pairs.rows) {
      const index = dates.indexOf(String(row.d));
      assert.equal(row.p, index > 0 ? dates[index - 1] : null, `${context}: previous snapshot of ${row.d}`);
    }

    // rows without a key never reach the history; each is recorded once
    const rejects = await scv.warehouse.query(
      `select count(*)::int as n, count(distinct snapshot_date || '/' || source_row)::int as distinct_rows ` +
        `from ${scv.schema}.scd2_reject where entity = 'crm_contact'`,
    );
    const keyless = snapshots.reduce((n, s) => n + s.rows.filter((r) => !r.contact_id?.trim()).length, 0);
    assert.equal(rejects.rows[0]?.n, keyless, `${context}: one reject per keyless row`);
    assert.equal(rejects.rows[0]?.distinct_rows, keyless, `${context}: rejects are not repeated`);
  }
  assert.ok(backdatedSequences >= 10, `at least 10 sequences applied a backdated snapshot (${backdatedSequences})`);
});
