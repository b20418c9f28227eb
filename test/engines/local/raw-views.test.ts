import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
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
});
