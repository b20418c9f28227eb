import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCheckedProject } from '../../lib/check/check.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environment } from '../../lib/core/model/project.ts';
import { tokenizeSql } from '../../lib/core/sql/trino-tokens.ts';
import { prepareTransform } from '../../lib/core/transform.ts';
import { acceptsExecutionParameters } from '../../lib/local/twin/task-handlers.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

const project = loadCheckedProject(REPO_ROOT);
const names = resourceNames(environment(project, 'dev'));
const window = { from: '2024-01-01', to: '2024-01-03' };

test('the window reaches Athena only through the INSERT INTO the incoming table, never through the MERGE', () => {
  // Prepare: every shipped transform
  const events = [...project.insertSql.keys()];
  assert.ok(events.length >= 10);
  for (const event of events) {
    // Act
    const prepared = prepareTransform(project, names, event, window);

    // Assess: parameters only where Athena takes them
    assert.deepEqual(prepared.load.parameters, [window.from, window.to], event);
    assert.match(prepared.load.sql, new RegExp(`^insert into "${names.incomingDatabase}"\\."${event}" \\(`), event);
    assert.ok(acceptsExecutionParameters(prepared.load.sql), event);
    const markers = (sql: string) => tokenizeSql(sql).filter((t) => t.text === '?').length;
    assert.equal(markers(prepared.load.sql), 2, event);
    assert.equal(markers(prepared.merge), 0, `${event}: the MERGE has no parameter`);
    assert.equal(markers(prepared.clear), 0, event);
    assert.match(prepared.merge, new RegExp(`from "${names.incomingDatabase}"\\."${event}" as incoming`), event);
    assert.equal(prepared.clear, `delete from "${names.incomingDatabase}"."${event}"`);
  }
});

test("Athena's rule on execution parameters, as the twin enforces it", () => {
  assert.equal(acceptsExecutionParameters('select * from t where d > ?'), true);
  assert.equal(acceptsExecutionParameters('-- note\ninsert into t (a) select a from s where d > ?'), true);
  assert.equal(acceptsExecutionParameters('with x as (select 1) select * from x'), true);
  assert.equal(acceptsExecutionParameters('merge into t using s on t.a = s.a when matched then delete'), false);
  assert.equal(acceptsExecutionParameters('delete from t where d > ?'), false);
  assert.equal(acceptsExecutionParameters('update t set a = ? where b = 1'), false);
});
