import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { familyPassed, type QualityResult, runQualityChecks } from '../../../lib/core/quality/run-checks.ts';
import { type QualityFixture, qualityFixture, type SaleRow, sale, WINDOW } from './quality-fixture.ts';

/** One of each check type on the `sales` stage table; each test breaks one on purpose. */
const CHECKS = [
  { type: 'not_null', columns: ['event_id', 'user_id'] },
  { type: 'unique', columns: ['event_id'] },
  { type: 'accepted_values', column: 'status', values: ['placed', 'paid'] },
  { type: 'relationships', column: 'user_id', to: { table: 'customers', column: 'user_id' } },
  { type: 'row_count_reconciliation', key: 'event_id' },
  { type: 'freshness', column: 'event_at', max_age: '24 hours' },
  { type: 'expression', name: 'positive_amount', expression: 'amount > 0' },
  { type: 'expression', name: 'amount_below_limit', expression: 'amount < 1000', severity: 'warn' },
];

const GOOD_SALES: readonly SaleRow[] = [sale('e1'), sale('e2', { status: 'paid' }), sale('e3', { user_id: 'u2' })];
const CUSTOMERS = ['u1', 'u2'];

function byName(results: readonly QualityResult[], name: string): QualityResult {
  const result = results.find((candidate) => candidate.name === name);
  assert.ok(result, `no result named ${name} in ${results.map((r) => r.name).join(', ')}`);
  return result;
}

/** Every check except the named ones passed. */
function othersPassed(results: readonly QualityResult[], ...names: string[]): void {
  const others = results.filter((result) => !names.includes(result.name));
  assert.deepEqual(
    others.filter((result) => result.status !== 'PASSED').map((result) => [result.name, result.status, result.error]),
    [],
  );
}

describe('runQualityChecks on the local DuckDB engine', () => {
  let fixture: QualityFixture;
  const run = () => runQualityChecks(fixture.engine, fixture.project, fixture.names, 'sales', WINDOW);

  before(async () => {
    fixture = await qualityFixture(CHECKS);
    // Raw has e2 twice (a re-delivery) and e9 on the next day, outside the window.
    await fixture.raw('2024-01-15', ['e1', 'e2', 'e2', 'e3']);
    await fixture.raw('2024-01-16', ['e9']);
  });
  after(async () => {
    await fixture.close();
  });

  test('the good fixture passes every check and the family', async () => {
    // Prepare
    await fixture.stage({ sales: GOOD_SALES, customers: CUSTOMERS });

    // Act
    const results = await run();

    // Assess
    assert.deepEqual(
      results.map((r) => [r.name, r.type, r.severity, r.status, r.failing_count, r.sample_keys]),
      [
        ['not_null_event_id_user_id', 'not_null', 'error', 'PASSED', 0, []],
        ['unique_event_id', 'unique', 'error', 'PASSED', 0, []],
        ['accepted_values_status', 'accepted_values', 'error', 'PASSED', 0, []],
        ['relationships_user_id_to_customers_user_id', 'relationships', 'error', 'PASSED', 0, []],
        ['row_count_reconciliation_event_id', 'row_count_reconciliation', 'error', 'PASSED', 0, []],
        ['freshness_event_at', 'freshness', 'error', 'PASSED', 0, []],
        ['positive_amount', 'expression', 'error', 'PASSED', 0, []],
        ['amount_below_limit', 'expression', 'warn', 'PASSED', 0, []],
      ],
    );
    assert.ok(results.every((r) => typeof r.query_id === 'string' && r.error === undefined));
    assert.equal(familyPassed(results), true);
  });

  test('not_null fails with the count and keys of rows missing any listed column; rows outside the window do not count', async () => {
    // Prepare
    await fixture.stage({
      sales: [
        ...GOOD_SALES,
        sale('e4', { user_id: null }),
        sale(null),
        sale('e_old', { user_id: null, processed_date: '2024-01-14' }),
        sale('e_next', { user_id: null, processed_date: '2024-01-16' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'not_null_event_id_user_id');
    assert.equal(check.status, 'FAILED');
    assert.equal(check.failing_count, 2);
    assert.deepEqual(check.sample_keys, ['e4', 'null']);
    assert.equal(familyPassed(results), false);
  });

  test('unique fails per duplicated key, counting a copy outside the window but not duplicates wholly outside it', async () => {
    // Prepare
    await fixture.stage({
      sales: [
        ...GOOD_SALES,
        sale('e1'),
        sale('e2', { processed_date: '2024-01-13' }),
        sale('e_old'),
        sale('x_old', { processed_date: '2024-01-13' }),
        sale('x_old', { processed_date: '2024-01-13' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'unique_event_id');
    assert.equal(check.status, 'FAILED');
    assert.equal(check.failing_count, 2);
    assert.deepEqual(check.sample_keys, ['e1', 'e2']);
  });

  test('accepted_values fails for values not listed, ignoring NULL and rows outside the window', async () => {
    // Prepare
    await fixture.stage({
      sales: [
        ...GOOD_SALES,
        sale('e4', { status: 'PLACED' }),
        sale('e5', { status: 'refunded' }),
        sale('e6', { status: null }),
        sale('e7', { status: 'refunded', processed_date: '2024-01-16' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'accepted_values_status');
    assert.deepEqual([check.status, check.failing_count, check.sample_keys], ['FAILED', 2, ['e4', 'e5']]);
    othersPassed(results, 'accepted_values_status', 'row_count_reconciliation_event_id');
  });

  test('relationships fails for values with no row in the target table', async () => {
    // Prepare
    await fixture.stage({
      sales: [
        ...GOOD_SALES,
        sale('e4', { user_id: 'u404' }),
        sale('e5', { user_id: 'u404' }),
        sale('e6', { user_id: 'u405', processed_date: '2024-01-14' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'relationships_user_id_to_customers_user_id');
    assert.deepEqual([check.status, check.failing_count, check.sample_keys], ['FAILED', 2, ['e4', 'e5']]);
  });

  test('row_count_reconciliation names raw keys missing from stage, stage rows not in the raw window, and duplicates', async () => {
    // Prepare: e3 lost; e8 never in raw; e1 written twice; e9 is raw of the next day and rows before the window are
    // another window's business.
    await fixture.stage({
      sales: [
        sale('e1'),
        sale('e1'),
        sale('e2'),
        sale('e8'),
        sale('e9', { processed_date: '2024-01-16' }),
        sale('e0', { processed_date: '2024-01-14' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'row_count_reconciliation_event_id');
    assert.equal(check.status, 'FAILED');
    assert.equal(check.failing_count, 3);
    assert.deepEqual(check.sample_keys, [
      'order_placed:duplicate:e1',
      'order_placed:missing_from_stage:e3',
      'order_placed:not_in_raw_window:e8',
    ]);
  });

  test('row_count_reconciliation does not count a raw key already loaded by an earlier window as lost', async () => {
    // Prepare: e3 was first delivered (and loaded) the day before; its re-delivery today writes no new row.
    await fixture.stage({
      sales: [sale('e1'), sale('e2'), sale('e3', { processed_date: '2024-01-14' })],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    assert.equal(byName(results, 'row_count_reconciliation_event_id').status, 'PASSED');
  });

  test('freshness fails when the newest value up to the window end is older than max_age, showing that value', async () => {
    // Prepare: threshold is 2024-01-16T00:00 (end of the window's last day) minus 24 hours; a newer row delivered
    // after the window does not make the window fresh.
    await fixture.stage({
      sales: [
        sale('e1', { event_at: '2024-01-14 20:00:00' }),
        sale('e2', { event_at: '2024-01-14 23:59:59.5' }),
        sale('e3', { event_at: '2024-01-16 08:00:00', processed_date: '2024-01-16' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'freshness_event_at');
    assert.deepEqual(
      [check.status, check.failing_count, check.sample_keys],
      ['FAILED', 1, ['2024-01-14T23:59:59.500']],
    );
  });

  test('freshness fails when there are no rows up to the window end', async () => {
    // Prepare
    await fixture.stage({ sales: [], customers: CUSTOMERS });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'freshness_event_at');
    assert.deepEqual(
      [check.status, check.failing_count, check.sample_keys],
      ['FAILED', 1, ['no rows before the window end']],
    );
  });

  test('expression fails for rows where it is false, not where it is NULL or outside the window', async () => {
    // Prepare
    await fixture.stage({
      sales: [
        ...GOOD_SALES,
        sale('e4', { amount: 0 }),
        sale('e5', { amount: -3 }),
        sale('e6', { amount: -1, processed_date: '2024-01-16' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'positive_amount');
    assert.deepEqual([check.status, check.failing_count, check.sample_keys], ['FAILED', 2, ['e4', 'e5']]);
  });

  test('a failing warn check is WARNED and does not fail the family', async () => {
    // Prepare
    await fixture.stage({ sales: [sale('e1'), sale('e2', { amount: 5000 }), sale('e3')], customers: CUSTOMERS });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'amount_below_limit');
    assert.deepEqual([check.status, check.failing_count, check.sample_keys], ['WARNED', 1, ['e2']]);
    othersPassed(results, 'amount_below_limit');
    assert.equal(familyPassed(results), true);
  });

  test('samples hold at most 10 keys, sorted, while failing_count counts them all', async () => {
    // Prepare
    const bad = Array.from({ length: 12 }, (_, index) => sale(`bad_${String(index).padStart(2, '0')}`, { amount: 0 }));
    await fixture.stage({ sales: [...GOOD_SALES, ...bad], customers: CUSTOMERS });

    // Act
    const results = await run();

    // Assess
    const check = byName(results, 'positive_amount');
    assert.equal(check.failing_count, 12);
    assert.deepEqual(
      check.sample_keys,
      bad.slice(0, 10).map((row) => row.event_id),
    );
  });

  test('the event list narrows every check to those events', async () => {
    // Prepare: the bad row belongs to order_paid, which the run did not process.
    await fixture.stage({
      sales: [...GOOD_SALES, sale('p1', { event_name: 'order_paid', amount: 0 })],
      customers: CUSTOMERS,
    });

    // Act
    const results = await runQualityChecks(fixture.engine, fixture.project, fixture.names, 'sales', {
      ...WINDOW,
      events: ['order_placed'],
    });

    // Assess
    othersPassed(results);
  });

  test('window bounds, events and accepted values reach the engine as parameters only', async () => {
    // Prepare
    await fixture.stage({ sales: GOOD_SALES, customers: CUSTOMERS });
    fixture.engine.calls.length = 0;

    // Act
    await runQualityChecks(fixture.engine, fixture.project, fixture.names, 'sales', {
      column: 'event_at',
      from: '2024-01-15T00:00:00Z',
      to: '2024-01-15T23:59:59.999Z',
      events: ['order_placed'],
      rawWindow: { fromDate: '2024-01-14', toDate: '2024-01-15' },
    });

    // Assess
    assert.equal(fixture.engine.calls.length, CHECKS.length);
    for (const { sql, parameters } of fixture.engine.calls) {
      assert.equal(sql.split('?').length - 1, parameters.length, sql);
      for (const value of ['2024-01-15', '2024-01-14', 'order_placed', 'placed', 'paid']) {
        assert.equal(sql.includes(`'${value}`), false, `${value} was written into the SQL:\n${sql}`);
      }
    }
    const parameters = fixture.engine.calls.flatMap((call) => call.parameters);
    assert.ok(parameters.includes('2024-01-15 00:00:00.000'));
    assert.ok(parameters.includes('2024-01-15 23:59:59.999'));
    assert.ok(parameters.includes('order_placed'));
  });
});

describe('runQualityChecks when a check cannot be evaluated', () => {
  let fixture: QualityFixture;

  before(async () => {
    fixture = await qualityFixture([
      { type: 'expression', name: 'broken', expression: 'no_such_function(amount) > 0' },
      { type: 'expression', name: 'broken_warning', expression: 'no_such_function(amount) > 0', severity: 'warn' },
      { type: 'row_count_reconciliation', key: 'event_id' },
    ]);
    await fixture.stage({ sales: [sale('e1')] });
  });
  after(async () => {
    await fixture.close();
  });

  test('a query error is ERROR with the engine message; it fails the family only for severity error', async () => {
    // Act
    const results = await runQualityChecks(fixture.engine, fixture.project, fixture.names, 'sales', WINDOW);

    // Assess
    const [broken, warning] = results;
    assert.equal(broken?.status, 'ERROR');
    assert.equal(broken?.failing_count, 0);
    assert.deepEqual(broken?.sample_keys, []);
    assert.match(broken?.error ?? '', /no_such_function/);
    assert.equal(warning?.status, 'ERROR');
    assert.equal(familyPassed(results), false);
    assert.equal(familyPassed(results.filter((result) => result.severity === 'warn')), true);
  });

  test('reconciliation without a raw window over a timestamp window column is ERROR before any query', async () => {
    // Prepare
    fixture.engine.calls.length = 0;

    // Act
    const results = await runQualityChecks(fixture.engine, fixture.project, fixture.names, 'sales', {
      column: 'event_at',
      from: '2024-01-15T00:00:00Z',
      to: '2024-01-16T00:00:00Z',
    });

    // Assess
    const reconciliation = results[2];
    assert.equal(reconciliation?.status, 'ERROR');
    assert.equal(reconciliation?.query_id, null);
    assert.match(reconciliation?.error ?? '', /needs the raw window/);
    assert.equal(fixture.engine.calls.length, 2);
  });

  test('a family with no checks passes', () => {
    // Assess
    assert.equal(familyPassed([]), true);
  });
});

describe('accepted_values from the family event list', () => {
  let fixture: QualityFixture;

  before(async () => {
    fixture = await qualityFixture([{ type: 'accepted_values', column: 'event_name', values_from: 'family_events' }]);
  });
  after(async () => {
    await fixture.close();
  });

  test('accepts exactly the events the family config lists, enabled or not', async () => {
    // Prepare: the fixture's sales family lists order_placed (enabled) and order_paid (disabled).
    await fixture.stage({
      sales: [
        sale('e1'),
        sale('e2', { event_name: 'order_paid' }),
        sale('e3', { event_name: 'order_refunded' }),
        sale('e4', { event_name: 'order_returned' }),
      ],
      customers: CUSTOMERS,
    });

    // Act
    const results = await runQualityChecks(fixture.engine, fixture.project, fixture.names, 'sales', WINDOW);

    // Assess: order_returned belongs to another family's list, so it is refused here too.
    const check = byName(results, 'accepted_values_event_name');
    assert.deepEqual([check.status, check.failing_count, check.sample_keys], ['FAILED', 2, ['e3', 'e4']]);
  });
});
