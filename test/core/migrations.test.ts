import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProject } from '../../lib/config/loader.ts';
import { compareMigrationVersions, migrate, planMigrations, warehouseBindings } from '../../lib/core/migrations.ts';
import { PgliteWarehouse } from '../../lib/engines/local/pglite-warehouse.ts';
import { minimalProjectFiles } from '../helpers/project-fixture.ts';

const BINDINGS = warehouseBindings({ schema: 'conformed', stage_schema: 'spectrum_stage', raw_schema: 'spectrum_raw' });

function projectWithMigrations(names: readonly string[]) {
  const files = new Map(Object.entries(minimalProjectFiles()).filter(([path]) => !path.includes('/migrations/')));
  for (const name of names) files.set(`redshift-scripts/migrations/${name}`, `-- ${name}\nselect 1;\n`);
  return parseProject(files);
}

test("Flyway's names are accepted and ordered as Flyway orders them: versions part by part, then repeatables", () => {
  // Prepare
  const names = ['V2__Second.sql', 'V1.10__Tenth.sql', 'V1.9__Ninth.sql', 'V1__CreateTableDDL.sql', 'V2_1__Under.sql'];

  // Act
  const { project, problems } = projectWithMigrations([...names, 'R__views.sql', 'R__grants.sql']);

  // Assess
  assert.deepEqual(problems, []);
  const order = project.warehouseScripts
    .filter((s) => s.file.includes('/migrations/'))
    .map((s) => (s.kind === 'versioned' ? `V${s.version}` : `R ${s.description}`));
  assert.deepEqual(order, ['V1', 'V1.9', 'V1.10', 'V2', 'V2.1', 'R grants', 'R views']);
});

test('compareMigrationVersions: numbers part by part, a missing part is 0', () => {
  assert.equal(compareMigrationVersions('1.10', '1.9'), 1);
  assert.equal(compareMigrationVersions('2', '2.0'), 0);
  assert.equal(compareMigrationVersions('003', '3'), 0);
  assert.equal(compareMigrationVersions('2.1', '10'), -1);
});

test('V2 and V2.0 are one version: the second is refused', () => {
  const { problems } = projectWithMigrations(['V2__a.sql', 'V2.0__b.sql']);
  assert.deepEqual(
    problems.map((p) => p.message),
    ['version 2 is also used by redshift-scripts/migrations/V2.0__b.sql'],
  );
});

test('a dotted version is recorded in the history and a new one older than it is refused', async () => {
  // Prepare
  const warehouse = await PgliteWarehouse.open({ schema: 'conformed' });
  try {
    const first = projectWithMigrations(['V1__a.sql', 'V2.1__b.sql']).project.warehouseScripts;

    // Act
    await migrate(warehouse, first, BINDINGS, 'run-1');
    const applied = await warehouse.appliedScripts();
    const later = projectWithMigrations(['V1__a.sql', 'V2.1__b.sql', 'V2.0.5__c.sql']).project.warehouseScripts;

    // Assess
    assert.deepEqual(
      applied.filter((a) => a.version !== null).map((a) => a.version),
      ['1', '2.1'],
    );
    assert.throws(
      () => planMigrations(later, applied, BINDINGS),
      /V2\.0\.5__c\.sql \(version 2\.0\.5\) is older than version 2\.1/,
    );
  } finally {
    await warehouse.close();
  }
});

test('a history table made when versions were integers still records whole-number versions', async () => {
  // Prepare: the history table as earlier releases created it
  const warehouse = await PgliteWarehouse.open({ schema: 'conformed' });
  try {
    await warehouse.execute(
      'create schema conformed; create table conformed.dap_schema_history (installed_rank integer not null, ' +
        'script varchar(512) not null, version integer, description varchar(512), checksum char(64) not null, ' +
        'run_id varchar(128) not null, applied_at timestamp not null)',
    );

    // Act
    await migrate(warehouse, projectWithMigrations(['V1__a.sql', 'V3__b.sql']).project.warehouseScripts, BINDINGS, 'r');

    // Assess
    const versions = (await warehouse.appliedScripts()).map((a) => a.version).filter((v) => v !== null);
    assert.deepEqual(versions, ['1', '3']);
  } finally {
    await warehouse.close();
  }
});
