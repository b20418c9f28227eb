import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProject } from '../../../lib/config/loader.ts';
import { resourceNames } from '../../../lib/core/model/names.ts';
import { QualityCheckSqlError, type QualityWindow, qualityCheckQueries } from '../../../lib/core/quality/check-sql.ts';
import { ident, UnsafeIdentifierError } from '../../../lib/core/quality/sql-builder.ts';
import { minimalProjectFiles } from '../../helpers/project-fixture.ts';
import { qualityProjectFiles } from './quality-fixture.ts';

const HOSTILE = "x' or '1'='1";

function queriesFor(checks: readonly unknown[], window: QualityWindow) {
  const files = new Map(Object.entries({ ...minimalProjectFiles(), ...qualityProjectFiles(checks) }));
  const { project, problems } = parseProject(files);
  assert.deepEqual(problems, []);
  return qualityCheckQueries(project, resourceNames({ name: 'dev' }), 'sales', window);
}

const EVERY_TYPE = [
  { type: 'not_null', columns: ['event_id'] },
  { type: 'unique', columns: ['event_id', 'event_name'] },
  { type: 'accepted_values', column: 'status', values: [HOSTILE, 1, true] },
  { type: 'relationships', column: 'user_id', to: { table: 'customers', column: 'user_id' } },
  { type: 'row_count_reconciliation', key: 'event_id' },
  { type: 'freshness', column: 'event_at', max_age: '48 hours' },
  { type: 'expression', name: 'positive_amount', expression: 'amount > 0' },
];

describe('qualityCheckQueries', () => {
  test('every value is a parameter, one per ?, in order; identifiers are quoted from config', () => {
    // Act
    const queries = queriesFor(EVERY_TYPE, {
      column: 'processed_date',
      from: '2024-01-14',
      to: '2024-01-15',
      events: [HOSTILE, 'order_placed'],
    });

    // Assess
    assert.equal(queries.length, EVERY_TYPE.length);
    for (const query of queries) {
      assert.equal(query.sql.split('?').length - 1, query.parameters.length, query.sql);
      assert.equal(query.sql.includes('2024-01-1'), false, query.sql);
      assert.equal(query.sql.includes("x'"), false, query.sql);
      assert.match(query.sql, /from "dev_dap_stage"\."sales" as [ts]\n/);
    }
    const [notNull, , acceptedValues, , , freshness] = queries;
    assert.deepEqual(notNull?.parameters, ['2024-01-14', '2024-01-15', HOSTILE, 'order_placed']);
    assert.deepEqual(acceptedValues?.parameters, [
      '2024-01-14',
      '2024-01-15',
      HOSTILE,
      'order_placed',
      HOSTILE,
      '1',
      'true',
    ]);
    // Freshness looks back from the end of 2024-01-15: threshold 48 hours before 2024-01-16T00:00.
    assert.deepEqual(freshness?.parameters, [
      '2024-01-13',
      '2024-01-15',
      HOSTILE,
      'order_placed',
      '2024-01-14 00:00:00.000',
    ]);
  });

  test('reconciliation reads the raw partitions of the raw window and only the events the run processed', () => {
    // Act
    const [query] = queriesFor([{ type: 'row_count_reconciliation', key: 'event_id' }], {
      column: 'event_at',
      from: '2024-01-15T00:00:00+01:00',
      to: '2024-01-15T12:00:00Z',
      events: ['order_placed'],
      rawWindow: { fromDate: '2024-01-14', toDate: '2024-01-15' },
    });

    // Assess
    assert.match(query?.sql ?? '', /from "dev_dap_raw"\."order_placed" as r/);
    assert.match(query?.sql ?? '', /concat\("r"\."year", '-', "r"\."month", '-', "r"\."day"\) > \?/);
    assert.deepEqual(query?.parameters.slice(0, 7), [
      '2024-01-14',
      '2024-01-15',
      '2024-01-14 23:00:00.000',
      '2024-01-15 12:00:00.000',
      'order_placed',
      'order_placed',
      'order_placed',
    ]);
  });

  test('a window column the table lacks or that is not a date, timestamp or string is refused', () => {
    // Act and Assess
    assert.throws(
      () => queriesFor([{ type: 'not_null', columns: ['event_id'] }], { column: 'loaded_at', from: 'a', to: 'b' }),
      (error: unknown) =>
        error instanceof QualityCheckSqlError && /stage table sales has no column "loaded_at"/.test(error.message),
    );
    assert.throws(
      () => queriesFor([{ type: 'not_null', columns: ['event_id'] }], { column: 'amount', from: '1', to: '2' }),
      /the window column "amount" is decimal; expected date, timestamp or string/,
    );
    assert.throws(
      () =>
        queriesFor([{ type: 'not_null', columns: ['event_id'] }], {
          column: 'processed_date',
          from: 'yesterday',
          to: '2024-01-15',
        }),
      /window from "yesterday" is not an ISO 8601 date or timestamp/,
    );
  });

  test('identifiers that are not plain lower-case names never reach SQL', () => {
    // Act and Assess
    assert.throws(() => ident('sales"; drop table x; --'), UnsafeIdentifierError);
    assert.equal(ident('timestamp').text, '"timestamp"');
  });
});
