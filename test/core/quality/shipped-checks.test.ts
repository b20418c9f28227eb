import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkQualityDeclarations } from '../../../lib/check/quality-checks.ts';
import { readProject } from '../../../lib/config/loader.ts';
import { resourceNames } from '../../../lib/core/model/names.ts';
import { environment } from '../../../lib/core/model/project.ts';
import { familyPassed, runQualityChecks } from '../../../lib/core/quality/run-checks.ts';
import { writeTxmaSamples } from '../../../lib/core/samples/txma.ts';
import { runTransform } from '../../../lib/core/transform.ts';
import { DuckDbEngine } from '../../../lib/engines/local/duckdb-engine.ts';
import { FolderObjectStore } from '../../../lib/engines/local/folder-object-store.ts';
import { REPO_ROOT } from '../../helpers/twin-fixture.ts';

const TXMA_FAMILIES = ['auth_account_creation', 'ipv_identity_journey', 'dcmaw_app_journey', 'orch_spot'];

/** Delivery days of the seeded sample (2024-01-15 and 16, and a few late records on the 17th). */
const SAMPLE_WINDOW = { column: 'processed_date', from: '2024-01-14', to: '2024-01-17' } as const;

describe('the checks declared on the shipped TxMA stage tables', () => {
  const project = readProject(REPO_ROOT).project;
  const env = environment(project, 'dev');
  const names = resourceNames(env);
  const dataDir = mkdtempSync(join(tmpdir(), 'dap-quality-'));
  let engine: DuckDbEngine;

  before(async () => {
    engine = await DuckDbEngine.open({ project, environment: env, dataDir, databasePath: ':memory:' });
    await writeTxmaSamples(new FolderObjectStore(dataDir), names.buckets.raw, { days: 2, eventsPerDay: 150 });
    await engine.syncCatalog();
    for (const family of TXMA_FAMILIES) {
      for (const event of project.familyEvents.get(family)?.events ?? []) {
        if (event.enabled) await runTransform(engine, project, names, event.event_name);
      }
    }
  });
  after(async () => {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the shipped stage tables declare checks and have no problems', () => {
    // Act
    const problems = checkQualityDeclarations(project);

    // Assess
    assert.deepEqual(problems, []);
    for (const family of ['auth_account_creation', 'ipv_identity_journey', 'dcmaw_app_journey', 'orch_spot']) {
      const types = new Set(project.stageTables.get(family)?.checks.map((check) => check.type));
      for (const type of [
        'not_null',
        'unique',
        'accepted_values',
        'row_count_reconciliation',
        'freshness',
        'expression',
      ]) {
        assert.ok(types.has(type as never), `${family} has no ${type} check`);
      }
    }
  });

  for (const family of TXMA_FAMILIES) {
    test(`${family}: every check passes on the seeded sample`, async () => {
      // Act
      const results = await runQualityChecks(engine, project, names, family, SAMPLE_WINDOW);

      // Assess
      assert.ok(results.length >= 7, `${family} declares ${results.length} checks`);
      assert.deepEqual(
        results
          .filter((r) => r.status !== 'PASSED')
          .map((r) => [r.name, r.status, r.failing_count, r.sample_keys, r.error]),
        [],
      );
      assert.equal(familyPassed(results), true);
    });
  }

  test('a lost stage row fails the family on reconciliation, naming the event and key', async () => {
    // Prepare
    const table = `${names.stageDatabase}.auth_account_creation`;
    const victim = await engine.execute(
      `select event_id from ${table} where event_name = 'auth_create_account' order by event_id limit 1`,
    );
    const eventId = String(victim.rows[0]?.event_id);
    await engine.execute(`delete from ${table} where event_id = ?`, { parameters: [eventId] });

    // Act
    const results = await runQualityChecks(engine, project, names, 'auth_account_creation', SAMPLE_WINDOW);

    // Assess
    const reconciliation = results.find((r) => r.type === 'row_count_reconciliation');
    assert.equal(reconciliation?.status, 'FAILED');
    assert.equal(reconciliation?.failing_count, 1);
    assert.deepEqual(reconciliation?.sample_keys, [`auth_create_account:missing_from_stage:${eventId}`]);
    assert.equal(familyPassed(results), false);
  });
});
