import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintRedshiftSql } from '../../../lib/check/redshift-portability.ts';
import { loadProject } from '../../../lib/config/loader.ts';
import {
  databaseHistoryScript,
  databaseHistoryScripts,
  hasHistoryRegistry,
  historyColumns,
} from '../../../lib/core/extract/history-sql.ts';
import { warehouseScriptsWithRunner } from '../../../lib/core/migrations.ts';

const project = loadProject(fileURLToPath(new URL('../../..', import.meta.url)));
const timetable = project.databaseSources.get('timetable');

test('the history registration generated from a database source: every table read whole, Redshift-portable, applied after the project scripts', () => {
  assert.ok(timetable);
  const script = databaseHistoryScript(timetable);
  assert.ok(script);
  assert.deepEqual(lintRedshiftSql(script.file, script.text), []);
  for (const entity of ['timetable_departments', 'timetable_staff', 'timetable_rooms']) {
    assert.match(
      script.text,
      new RegExp(`\\('${entity}', '\\{\\{raw_schema\\}\\}\\.${entity}', 'row_key', 'snapshot_date'`),
    );
  }
  // It replaces only what it registered: by its description, never every entity.
  assert.match(
    script.text,
    /delete from \{\{reporting_schema\}\}\.scd2_entity where description = 'database source timetable/,
  );
  assert.doesNotMatch(script.text, /delete from \{\{reporting_schema\}\}\.scd2_entity;/);
  const names = warehouseScriptsWithRunner(project).map((s) => s.file);
  assert.ok(names.indexOf(script.file) > names.indexOf('redshift-scripts/procedures/scd2_entities.sql'));
});

test('history columns: source_id, the key, then the tracked columns; none with history false', () => {
  assert.ok(timetable);
  const rooms = timetable.tables.find((t) => t.name === 'rooms');
  assert.ok(rooms);
  assert.deepEqual(historyColumns(rooms), ['source_id', 'site', 'room_code', 'department_id', 'capacity']);
  assert.deepEqual(historyColumns({ ...rooms, history: { columns: ['capacity'] } }), [
    'source_id',
    'site',
    'room_code',
    'capacity',
  ]);
  assert.deepEqual(historyColumns({ ...rooms, history: false }), []);
  // An incremental table's promoted snapshot is whole (the rows not read again are carried), so it has one too.
  assert.deepEqual(historyColumns({ ...rooms, mode: 'incremental' }), historyColumns(rooms));
  assert.equal(databaseHistoryScript({ ...timetable, tables: [{ ...rooms, history: false }] }), undefined);
});

test('a reporting model of its own, without the type 2 registry, gets no generated history', () => {
  assert.equal(hasHistoryRegistry(project), true);
  const own = { ...project, warehouseScripts: project.warehouseScripts.filter((s) => !s.file.includes('V020')) };
  assert.equal(hasHistoryRegistry(own), false);
  assert.deepEqual(databaseHistoryScripts(own), []);
});
