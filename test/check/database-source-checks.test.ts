import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkDatabaseSources } from '../../lib/check/database-source-checks.ts';
import { parseProject } from '../../lib/config/loader.ts';

const shipped = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../config/sources/databases/timetable.json'), 'utf8'),
) as Record<string, unknown> & { tables: Record<string, unknown>[]; checks: Record<string, unknown>[] };

/** The shipped timetable source with one change, loaded from memory; returns the problems of load and check. */
function problems(change: (source: typeof shipped) => unknown): string[] {
  const source = structuredClone(shipped);
  const changed = change(source) ?? source;
  const files = new Map<string, string>([
    ['athena-scripts/process_scripts/product_family_config.json', '[]'],
    ['redshift-scripts/reporting_model_product_family_config.json', '[]'],
    ['config/sources/databases/timetable.json', JSON.stringify(changed)],
  ]);
  const loaded = parseProject(files);
  return [...loaded.problems, ...checkDatabaseSources(loaded.project)].map((p) => `${p.at ?? ''}: ${p.message}`);
}

describe('checkDatabaseSources', () => {
  test('the shipped source is clean', () => {
    assert.deepEqual(
      problems(() => undefined),
      [],
    );
  });

  const cases: [string, (s: typeof shipped) => unknown, RegExp][] = [
    [
      'a primary key column that is not extracted',
      (s) => {
        s.tables[0] = { ...s.tables[0], primary_key: ['dept_no'] };
      },
      /^tables\[0\]\.primary_key\[0\]: "dept_no" is not one of the table's columns$/,
    ],
    [
      'an incremental table without a cursor',
      (s) => {
        s.tables[1] = { ...s.tables[1], mode: 'incremental' };
      },
      /^tables\[1\]\.cursor: an incremental table needs a cursor/,
    ],
    [
      'a history of more attributes than sp_scd2_refresh keeps',
      (s) => {
        const extra = Array.from({ length: 10 }, (_, i) => ({ name: `extra_${i}`, type: 'string' }));
        s.tables[2] = { ...s.tables[2], columns: [...((s.tables[2]?.columns ?? []) as unknown[]), ...extra] };
      },
      /^tables\[2\]\.history: the history would keep 15 attributes .* keeps 12: name at most 9 in history\.columns/,
    ],
    [
      'a history column that is not extracted',
      (s) => {
        s.tables[0] = { ...s.tables[0], history: { columns: ['budget'] } };
      },
      /^tables\[0\]\.history\.columns\[0\]: "budget" is not one of the table's columns$/,
    ],
    [
      'a snapshot table with a cursor (it would be ignored)',
      (s) => {
        s.tables[0] = { ...s.tables[0], cursor: { column: 'updated_at' } };
      },
      /^tables\[0\]\.cursor: a snapshot table is read whole and ignores its cursor/,
    ],
    [
      'a column named as one dap adds',
      (s) => {
        s.tables[2] = {
          ...s.tables[2],
          columns: [...((s.tables[2]?.columns ?? []) as unknown[]), { name: 'source_id', type: 'string' }],
        };
      },
      /^tables\[2\]\.columns\[4\]\.name: "source_id" is a column dap adds/,
    ],
    [
      'a check on a table not extracted',
      (s) => {
        s.checks[2] = { type: 'not_blank', table: 'teachers', columns: ['email'] };
      },
      /^checks\[2\]\.table: table "teachers" is not one of the source's tables$/,
    ],
    [
      'a source id used twice',
      (s) => {
        s.instances = [
          { source_id: 'north', secret: 'A' },
          { source_id: 'north', secret: 'B' },
        ];
      },
      /^instances\[1\]\.source_id: source id "north" is used twice$/,
    ],
    [
      'a table name that is not an identifier (it would reach SQL)',
      (s) => {
        s.tables[0] = { ...s.tables[0], name: 'departments; drop table staff' };
      },
      /^tables\[0\]\.name: expected an identifier matching/,
    ],
    [
      'a filter with an operator that is not whitelisted',
      (s) => {
        s.tables[2] = { ...s.tables[2], filters: [{ column: 'capacity', op: 'like', value: '%' }] };
      },
      /^tables\[2\]\.filters\[0\]\.op: /,
    ],
  ];
  test('every environment names the network of every enabled source, and no network of a source not there', () => {
    const env = (networks: Record<string, unknown>) =>
      JSON.stringify({ name: 'dev', account: '111111111111', region: 'eu-west-2', database_networks: networks });
    const check = (networks: Record<string, unknown>, enabled = true) => {
      const files = new Map<string, string>([
        ['athena-scripts/process_scripts/product_family_config.json', '[]'],
        ['redshift-scripts/reporting_model_product_family_config.json', '[]'],
        ['config/sources/databases/timetable.json', JSON.stringify({ ...shipped, enabled })],
        ['config/environments/dev.json', env(networks)],
      ]);
      const loaded = parseProject(files);
      assert.deepEqual(loaded.problems, []);
      return checkDatabaseSources(loaded.project).map((p) => `${p.file}: ${p.at}: ${p.message}`);
    };
    assert.deepEqual(check({ timetable: null }), []);
    assert.deepEqual(check({}, false), [], 'a disabled source needs none');
    const [missing] = check({});
    assert.match(
      missing ?? '',
      /^config\/environments\/dev\.json: database_networks\.timetable: database source "timetable" .* has no network here/,
    );
    const unknown = check({ timetable: null, timetabel: null });
    assert.deepEqual(unknown, [
      'config/environments/dev.json: database_networks.timetabel: no database source "timetabel" in config/sources/databases/ (known: timetable)',
    ]);
  });

  for (const [name, change, expected] of cases) {
    test(name, () => {
      const found = problems(change);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0] ?? '', expected);
    });
  }
});
