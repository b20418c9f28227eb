import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../lib/config/loader.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environmentSchema } from '../../lib/core/model/schemas.ts';
import { type TxmaRecord, writeTxmaSamples } from '../../lib/core/samples/txma.ts';
import { runTransform } from '../../lib/core/transform.ts';
import { DuckDbEngine } from '../../lib/engines/local/duckdb-engine.ts';
import { FolderObjectStore } from '../../lib/engines/local/folder-object-store.ts';

/**
 * Golden tests of every shipped transform: hand-written raw records in, hand-written stage rows out. Events come
 * from the project's config, enabled or not, so a new event without its fixtures fails here.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixturesDir = join(repoRoot, 'test/fixtures/txma');
const project = loadProject(repoRoot);
const environment = environmentSchema.parse({ name: 'golden', account: '000000000000', region: 'eu-west-2' });
const configuredEvents = [...project.familyEvents.values()].flatMap((file) => file.events);

/** The one raw partition every fixture is delivered to. */
const FIXTURE_PARTITION = 'year=2024/month=01/day=15';

describe('insert_into transforms (golden)', () => {
  test('every transform SQL and every fixture belongs to a configured event', async () => {
    // Prepare
    const eventNames = new Set(configuredEvents.map((event) => event.event_name));
    const fixtureEvents = (await readdir(fixturesDir)).map((name) => name.replace(/(\.expected\.json|\.ndjson)$/, ''));

    // Assess
    assert.deepEqual(
      [...project.insertSql.keys()].filter((event) => !eventNames.has(event)),
      [],
      'SQL files without an event in athena-scripts/process_scripts/<family>_config.json',
    );
    assert.deepEqual(
      [...new Set(fixtureEvents)].filter((event) => !eventNames.has(event)),
      [],
      'fixtures without a configured event',
    );
  });

  for (const { event_name: event, product_family: family, enabled } of configuredEvents) {
    test(`${event} (${family}${enabled ? '' : ', disabled'}) turns its fixture into the expected stage rows`, async () => {
      // Prepare
      const rawTable = project.rawTables.get(event);
      const stageTable = project.stageTables.get(family);
      assert.ok(rawTable, `no raw table "${event}" in athena-scripts/raw_tables/`);
      assert.ok(stageTable, `no stage table for family "${family}" in athena-scripts/stage_tables/`);
      const rawFixture = join(fixturesDir, `${event}.ndjson`);
      const expectedFixture = join(fixturesDir, `${event}.expected.json`);
      assert.ok(existsSync(rawFixture) && existsSync(expectedFixture), `write ${rawFixture} and ${expectedFixture}`);
      const expected: unknown = JSON.parse(await readFile(expectedFixture, 'utf8'));
      assert.ok(Array.isArray(expected), `${expectedFixture} must hold an array of rows`);

      const dataDir = await mkdtemp(join(tmpdir(), `dap-golden-${event}-`));
      const engine = await openEngineOver(dataDir, rawTable.location, await readFile(rawFixture, 'utf8'));
      try {
        // Act
        const result = await runTransform(engine, project, engine.names, event);
        const stage = await engine.execute(
          `select * from "${engine.names.stageDatabase}"."${stageTable.table}" order by event_id`,
        );

        // Assess
        assert.deepEqual(stage.rows, expected);
        assert.equal(result.rowsWritten, expected.length);
      } finally {
        await engine.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }

  test('on the shipped sample data, every transform writes exactly one row per distinct event_id', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'dap-golden-samples-'));
    const store = new FolderObjectStore(dataDir);
    const files = await writeTxmaSamples(store, resourceNames(environment).buckets.raw);
    const distinctIds = new Map<string, Set<string>>();
    for (const file of files) {
      for (const line of file.body.trimEnd().split('\n')) {
        const record = JSON.parse(line) as TxmaRecord;
        const event = record.event_name.toLowerCase();
        distinctIds.set(event, (distinctIds.get(event) ?? new Set()).add(record.event_id));
      }
    }
    const engine = await DuckDbEngine.open({ project, environment, dataDir, databasePath: ':memory:' });
    try {
      for (const { event_name: event, product_family: family } of configuredEvents) {
        // Act
        const result = await runTransform(engine, project, engine.names, event);

        // Assess
        const table = `"${engine.names.stageDatabase}"."${project.stageTables.get(family)?.table}"`;
        const counts = await engine.execute(
          `select count(*) as row_count, count(distinct event_id) as id_count from ${table} where event_name = ?`,
          { parameters: [event] },
        );
        const expected = String(distinctIds.get(event)?.size ?? 0);
        assert.deepEqual(counts.rows, [{ row_count: expected, id_count: expected }], event);
        assert.equal(result.rowsWritten, Number(expected), event);
      }
    } finally {
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/** An engine whose raw bucket holds one file: the fixture, where Firehose would have put it. */
async function openEngineOver(dataDir: string, rawLocation: string, body: string): Promise<DuckDbEngine> {
  const file = join(dataDir, resourceNames(environment).buckets.raw, rawLocation, FIXTURE_PARTITION, 'part-0.json');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, body);
  // Raw views are built from the files present when the engine opens.
  return DuckDbEngine.open({ project, environment, dataDir, databasePath: ':memory:' });
}
