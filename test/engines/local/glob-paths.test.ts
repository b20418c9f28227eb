import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadProject } from '../../../lib/config/loader.ts';
import { environment } from '../../../lib/core/model/project.ts';
import { DuckDbEngine } from '../../../lib/engines/local/duckdb-engine.ts';
import { localDrift } from '../../../lib/local/drift.ts';
import { projectFixture } from '../../helpers/project-fixture.ts';

/**
 * Folder names DuckDB's glob would read as patterns if they reached it unescaped, each with a sibling folder that
 * such a pattern would match too (whose files must not be read).
 */
const FOLDERS = [
  ['x[1]', 'x1'],
  ['a*b', 'a-b'],
  ['what?', 'whats'],
  ['{a,b}', 'a'],
  ['[!x]', 'y'],
] as const;

/** An order_placed record with every declared column. */
const ORDER = { timestamp: 1, user: { user_id: 'u1', email: 'u1@example.com' }, extensions: { amount: 12.5 } };

function writeRaw(dataDir: string, records: readonly (readonly [day: string, record: object])[]): void {
  for (const [day, record] of records) {
    const partition = join(dataDir, 'dev-dap-raw', 'shop', 'order_placed', `day=${day}`);
    mkdirSync(partition, { recursive: true });
    writeFileSync(join(partition, 'a.json'), `${JSON.stringify(record)}\n`);
  }
}

/** A data folder whose path holds `folder`, with one raw order_placed record in each of two partitions. */
function dataDirWith(folder: string, sibling: string): string {
  const parent = mkdtempSync(join(tmpdir(), 'dap-glob-'));
  after(() => rmSync(parent, { recursive: true, force: true }));
  const dataDir = join(parent, folder);
  writeRaw(dataDir, [
    ['2026-11-20', { ...ORDER, event_id: 'e1' }],
    ['2026-11-21', { ...ORDER, event_id: 'e2' }],
  ]);
  // A field the declaration lacks: drift reports it if the sibling's files are read.
  writeRaw(join(parent, sibling), [['2026-11-22', { ...ORDER, event_id: 'not-mine', intruder: 'x' }]]);
  return dataDir;
}

describe('a data folder whose path has glob metacharacters', () => {
  const fixture = projectFixture();
  after(() => fixture.cleanup());
  const project = loadProject(fixture.root);

  for (const [folder, sibling] of FOLDERS) {
    test(`raw views read the files under ${folder}`, async () => {
      // Prepare
      const dataDir = dataDirWith(folder, sibling);
      const engine = await DuckDbEngine.open({
        project,
        environment: environment(project, 'dev'),
        dataDir,
        // The database file stays out of the folder: DuckDB reads a `?` in a database path as a query string.
        databasePath: ':memory:',
      });
      after(() => engine.close());

      // Act
      const result = await engine.execute('select event_id, day from dev_dap_raw.order_placed order by event_id');

      // Assess
      assert.deepEqual(result.rows, [
        { event_id: 'e1', day: '2026-11-20' },
        { event_id: 'e2', day: '2026-11-21' },
      ]);
    });

    test(`dap drift infers from the files under ${folder}`, async () => {
      // Prepare
      const dataDir = dataDirWith(folder, sibling);

      // Act
      const { drifts, withoutFiles } = await localDrift(project, 'dev', dataDir);

      // Assess
      assert.deepEqual(drifts, [{ table: 'order_placed', changes: [] }]);
      assert.deepEqual(withoutFiles, ['order_paid', 'order_returned']);
    });
  }

  test('a backslash in the path is refused with the reason, not a failed glob', async () => {
    // Prepare
    const dataDir = dataDirWith('back\\slash', 'back');

    // Act & Assess
    await assert.rejects(
      DuckDbEngine.open({ project, environment: environment(project, 'dev'), dataDir }),
      /has a backslash, which DuckDB's glob reads as a path separator: expected a data folder without one/,
    );
  });
});
