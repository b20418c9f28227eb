import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InsertShape, type TableCatalog, traceInsertColumn } from '../../lib/docs/query-shape.ts';
import { trinoInsertShape } from '../../lib/docs/trino-shape.ts';

const origins = (shape: InsertShape | undefined, column: string, catalog: TableCatalog) => {
  assert.ok(shape, 'the statement parses');
  return traceInsertColumn(shape, column, catalog)
    .map((o) => `${o.table.join('.')}.${o.column}`)
    .sort();
};

const stopAtQualified: TableCatalog = {
  stopsAt: (name) => name.length > 1,
  columnsOf: (name) => (name.join('.') === 's.b' ? ['k', 'y'] : undefined),
  insertsInto: () => [],
};

test('a column is traced through CTEs, a subquery, an alias and a struct field', () => {
  // Prepare
  const sql = `insert into s.t (id, who, total)
    with src as (select id, "user", amount from r.events),
    renamed as (select id, "user".user_id as who, amount from src)
    select x.id, x.who, x.amount * 2 from (select id, who, amount from renamed) x`;
  // Act
  const shape = trinoInsertShape(sql);
  // Assess
  assert.deepEqual(origins(shape, 'id', stopAtQualified), ['r.events.id']);
  assert.deepEqual(origins(shape, 'who', stopAtQualified), ['r.events.user.user_id']);
  assert.deepEqual(origins(shape, 'total', stopAtQualified), ['r.events.amount']);
});

test('each branch of a UNION ALL, and a join, give their own origins; constants give none', () => {
  const sql = `insert into s.t (k, v, c)
    select a.k, b.y, 'const' from s.a a join s.b b on a.k = b.k
    union all
    select k, y, 'other' from s.b`;
  const shape = trinoInsertShape(sql);
  assert.deepEqual(origins(shape, 'k', stopAtQualified), ['s.a.k', 's.b.k']);
  assert.deepEqual(origins(shape, 'v', stopAtQualified), ['s.b.y']);
  assert.deepEqual(origins(shape, 'c', stopAtQualified), []);
});

test('an intermediate table is followed through the inserts that fill it', () => {
  // Prepare: a procedure fills temp, then reads it into the target.
  const fill = trinoInsertShape('insert into temp (k2) select src.k from s.src src');
  assert.ok(fill);
  const catalog: TableCatalog = {
    stopsAt: (name) => name.length > 1,
    columnsOf: () => undefined,
    insertsInto: (name) => (name.join('.') === 'temp' ? [fill] : []),
  };
  // Act
  const shape = trinoInsertShape('insert into rep.t (k) select c.k2 from temp c');
  // Assess
  assert.deepEqual(origins(shape, 'k', catalog), ['s.src.k']);
});

test('a statement that is not an INSERT INTO gives no shape', () => {
  assert.equal(trinoInsertShape('select 1'), undefined);
  assert.equal(trinoInsertShape('insert into t (a) selec 1'), undefined);
});
