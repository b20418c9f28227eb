import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadProject } from '../../../lib/config/loader.ts';
import { environment } from '../../../lib/core/model/project.ts';
import { DuckDbEngine } from '../../../lib/engines/local/duckdb-engine.ts';
import { projectFixture } from '../../helpers/project-fixture.ts';

/** A raw table whose struct fields are spelled as TxMA events spell them: camelCase and hyphenated keys. */
const rawTable = {
  source: 'shop',
  format: 'json',
  location: 'shop/{table}',
  columns: [
    { name: 'event_id', type: 'string' },
    { name: 'timestamp', type: 'bigint' },
    { name: 'user', type: 'struct<user_id:string,email:string>' },
    {
      name: 'extensions',
      type: 'struct<hasMitigations:boolean,account-recovery:string,residencePermit:array<struct<documentNumber:string>>>',
    },
  ],
  partition_columns: [{ name: 'day', type: 'string' }],
  tables: { order_placed: {}, order_paid: {}, order_returned: {} },
};

describe('raw views read the keys the data carries', () => {
  test('camelCase and hyphenated struct fields land in their columns, not as NULL', async () => {
    // Prepare
    const fixture = projectFixture({ 'athena-scripts/raw_tables/shop.json': JSON.stringify(rawTable) });
    after(() => fixture.cleanup());
    const dataDir = mkdtempSync(join(tmpdir(), 'dap-raw-keys-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const folder = join(dataDir, 'dev-dap-raw', 'shop', 'order_placed', 'day=2026-11-20');
    mkdirSync(folder, { recursive: true });
    const record = {
      event_id: 'e1',
      timestamp: 1,
      extensions: { hasMitigations: true, 'account-recovery': 'yes', residencePermit: [{ documentNumber: 'RP1' }] },
    };
    writeFileSync(join(folder, 'a.json'), `${JSON.stringify(record)}\n`);
    const project = loadProject(fixture.root);
    const engine = await DuckDbEngine.open({ project, environment: environment(project, 'dev'), dataDir });
    after(() => engine.close());

    // Act
    const result = await engine.execute(
      'select extensions.hasmitigations as a, extensions.hasMitigations as b, extensions."account-recovery" as c, extensions.residencepermit[1].documentnumber as d from dev_dap_raw.order_placed',
    );

    // Assess
    assert.deepEqual(result.rows, [{ a: true, b: true, c: 'yes', d: 'RP1' }]);
  });

  test('keys are matched ignoring case, as the OpenX JSON SerDe does: at the top, in structs, in arrays of structs', async () => {
    // Prepare: the table declares Glue's lower-case names; the records spell them as producers do
    const lowerCased = {
      ...rawTable,
      columns: [
        { name: 'event_id', type: 'string' },
        { name: 'timestamp', type: 'bigint' },
        { name: 'user', type: 'struct<user_id:string,email:string>' },
        {
          name: 'extensions',
          type: 'struct<hasmitigations:boolean,account-recovery:string,residencepermit:array<struct<documentnumber:string>>,attrs:map<string,string>>',
        },
      ],
    };
    const fixture = projectFixture({ 'athena-scripts/raw_tables/shop.json': JSON.stringify(lowerCased) });
    after(() => fixture.cleanup());
    const dataDir = mkdtempSync(join(tmpdir(), 'dap-raw-keys-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const folder = join(dataDir, 'dev-dap-raw', 'shop', 'order_placed', 'day=2026-11-20');
    mkdirSync(folder, { recursive: true });
    const records = [
      {
        Event_ID: 'e1',
        TIMESTAMP: '5',
        User: { User_Id: 'u1' },
        extensions: {
          hasMitigations: true,
          'Account-Recovery': 'yes',
          ResidencePermit: [{ DocumentNumber: 'RP1' }, { documentNumber: 'RP2' }],
          attrs: { KeepCase: 'v' },
        },
      },
      { event_id: 'e2', timestamp: 7, extensions: { hasmitigations: false } },
    ];
    writeFileSync(join(folder, 'a.json'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const project = loadProject(fixture.root);
    const engine = await DuckDbEngine.open({ project, environment: environment(project, 'dev'), dataDir });
    after(() => engine.close());

    // Act
    const result = await engine.execute(
      'select event_id, timestamp as ts, "user".user_id as u, extensions.hasmitigations as m, extensions."account-recovery" as r, ' +
        "[p.documentnumber for p in extensions.residencepermit] as permits, extensions.attrs['KeepCase'] as kept, day " +
        'from dev_dap_raw.order_placed order by event_id',
    );

    // Assess: a map's keys are data, so they keep their case
    assert.deepEqual(result.rows, [
      { event_id: 'e1', ts: '5', u: 'u1', m: true, r: 'yes', permits: ['RP1', 'RP2'], kept: 'v', day: '2026-11-20' },
      { event_id: 'e2', ts: '7', u: null, m: false, r: null, permits: null, kept: null, day: '2026-11-20' },
    ]);
  });

  test('gzip and plain NDJSON files of one table are read side by side, as Athena reads them by their names', async () => {
    // Prepare: a plain part, a gzip part (what dap writes by default) and a file in a partition with only gzip
    const fixture = projectFixture({ 'athena-scripts/raw_tables/shop.json': JSON.stringify(rawTable) });
    after(() => fixture.cleanup());
    const dataDir = mkdtempSync(join(tmpdir(), 'dap-raw-gzip-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const table = join(dataDir, 'dev-dap-raw', 'shop', 'order_placed');
    const line = (id: string) => `${JSON.stringify({ event_id: id, timestamp: 1 })}\n`;
    mkdirSync(join(table, 'day=2026-11-20'), { recursive: true });
    mkdirSync(join(table, 'day=2026-11-21'), { recursive: true });
    writeFileSync(join(table, 'day=2026-11-20', 'a.json'), line('plain'));
    writeFileSync(join(table, 'day=2026-11-20', 'b.json.gz'), gzipSync(line('gzip-1') + line('gzip-2')));
    writeFileSync(join(table, 'day=2026-11-21', 'c.json.gz'), gzipSync(line('gzip-3')));
    const project = loadProject(fixture.root);
    const engine = await DuckDbEngine.open({ project, environment: environment(project, 'dev'), dataDir });
    after(() => engine.close());

    // Act
    const result = await engine.execute('select event_id, day from dev_dap_raw.order_placed order by event_id');

    // Assess
    assert.deepEqual(result.rows, [
      { event_id: 'gzip-1', day: '2026-11-20' },
      { event_id: 'gzip-2', day: '2026-11-20' },
      { event_id: 'gzip-3', day: '2026-11-21' },
      { event_id: 'plain', day: '2026-11-20' },
    ]);
  });
});
