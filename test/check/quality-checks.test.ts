import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkQualityDeclarations, expressionProblems } from '../../lib/check/quality-checks.ts';
import { parseProject } from '../../lib/config/loader.ts';
import { formatProblem } from '../../lib/core/model/problems.ts';
import { qualityProjectFiles } from '../core/quality/quality-fixture.ts';
import { minimalProjectFiles } from '../helpers/project-fixture.ts';

const FILE = 'athena-scripts/stage_tables/sales.json';

/** Schema and cross-check problems of the quality test project with these checks on `sales`, as text. */
function problemsWith(checks: readonly unknown[]): string[] {
  const files = new Map(Object.entries({ ...minimalProjectFiles(), ...qualityProjectFiles(checks) }));
  const { project, problems } = parseProject(files);
  return [...problems, ...checkQualityDeclarations(project)].map(formatProblem);
}

const SALES_COLUMNS = new Map([
  ['event_id', 'string'],
  ['amount', 'decimal(10,2)'],
  ['event_at', 'timestamp'],
  ['user', 'struct<user_id:string>'],
  ['tags', 'array<string>'],
]);

describe('check declarations: schema', () => {
  test('a valid declaration of every type has no problems', () => {
    // Act
    const problems = problemsWith([
      { type: 'not_null', columns: ['event_id', 'processed_date'], sample_key: ['event_id', 'event_name'] },
      { type: 'unique', columns: ['event_id'] },
      { type: 'accepted_values', column: 'status', values: ['placed', 'paid'], severity: 'warn' },
      { type: 'relationships', column: 'user_id', to: { table: 'customers', column: 'user_id' } },
      { type: 'row_count_reconciliation', key: 'event_id', events: ['order_placed'] },
      { type: 'freshness', column: 'event_at', max_age: '48 hours' },
      { type: 'expression', name: 'positive_amount', expression: 'amount > 0 and event_at <= current_timestamp' },
    ]);

    // Assess
    assert.deepEqual(problems, []);
  });

  test('schema problems name the file and the path of the check', () => {
    // Act
    const problems = problemsWith([
      { type: 'not_nul', columns: ['event_id'] },
      { type: 'unique' },
      { type: 'freshness', column: 'event_at', max_age: '2 weeks' },
      { type: 'expression', expression: 'amount > 0' },
      { type: 'accepted_values', column: 'status', values: [], severity: 'fatal' },
    ]);

    // Assess
    assert.deepEqual(problems, [
      `${FILE}: checks[0].type: expected a check with "type" one of not_null, unique, accepted_values, relationships, row_count_reconciliation, freshness, expression`,
      `${FILE}: checks[1].columns: missing required field (expected a list of column names)`,
      `${FILE}: checks[2].max_age: expected an age such as "30 minutes", "48 hours" or "2 days"`,
      `${FILE}: checks[3].name: missing required field (expected a check name saying what the expression expects)`,
      `${FILE}: checks[4].severity: expected "error" or "warn"`,
      `${FILE}: checks[4].values: expected at least one accepted value`,
    ]);
  });
  test('accepted_values takes either its own list or the family events, not both and not neither', () => {
    // Act
    const problems = problemsWith([
      { type: 'accepted_values', name: 'both', column: 'status', values: ['x'], values_from: 'family_events' },
      { type: 'accepted_values', name: 'neither', column: 'status' },
      { type: 'accepted_values', name: 'unknown_source', column: 'status', values_from: 'stage_rows' },
    ]);

    // Assess
    assert.deepEqual(problems, [
      `${FILE}: checks[0]: expected exactly one of "values" (a list) and "values_from": "family_events"`,
      `${FILE}: checks[1]: expected exactly one of "values" (a list) and "values_from": "family_events"`,
      `${FILE}: checks[2].values_from: expected "family_events"`,
    ]);
  });
});

describe('check declarations: cross-checks', () => {
  test('columns that the table does not have are named with their path', () => {
    // Act
    const problems = problemsWith([
      { type: 'not_null', columns: ['event_id', 'evnt_at'], sample_key: ['order_id'] },
      { type: 'unique', columns: ['user_id', 'order_id'] },
      { type: 'accepted_values', column: 'state', values: ['x'] },
      { type: 'freshness', column: 'updated_at', max_age: '1 day' },
    ]);

    // Assess
    assert.deepEqual(problems, [
      `${FILE}: checks[0].columns[1]: stage table sales has no column "evnt_at"`,
      `${FILE}: checks[0].sample_key[0]: stage table sales has no column "order_id"`,
      `${FILE}: checks[1].columns[1]: stage table sales has no column "order_id"`,
      `${FILE}: checks[2].column: stage table sales has no column "state"`,
      `${FILE}: checks[3].column: stage table sales has no column "updated_at"`,
    ]);
  });

  test('freshness needs a date or timestamp column', () => {
    // Act
    const problems = problemsWith([{ type: 'freshness', column: 'status', max_age: '1 day' }]);

    // Assess
    assert.deepEqual(problems, [
      `${FILE}: checks[0].column: freshness needs a date or timestamp column, but "status" is string`,
    ]);
  });

  test('relationship targets must exist with a column of the same type', () => {
    // Act
    const problems = problemsWith([
      { type: 'relationships', column: 'user_id', to: { table: 'clients', column: 'user_id' } },
      { type: 'relationships', column: 'user_id', to: { table: 'customers', column: 'id' }, name: 'second' },
      { type: 'relationships', column: 'event_at', to: { table: 'customers', column: 'user_id' } },
    ]);

    // Assess
    assert.deepEqual(problems, [
      `${FILE}: checks[0].to.table: no stage table "clients" (known: customers, returns, sales)`,
      `${FILE}: checks[1].to.column: stage table customers (athena-scripts/stage_tables/customers.json) has no column "id"`,
      `${FILE}: checks[2].to.column: "event_at" is timestamp but customers.user_id is string: they cannot be compared`,
    ]);
  });

  test('reconciled events belong to the family and have raw tables with the key and year/month/day partitions', () => {
    // Prepare
    const files = new Map(Object.entries({ ...minimalProjectFiles(), ...qualityProjectFiles([]) }));
    const sales = JSON.parse(files.get(FILE) ?? '{}');
    sales.checks = [
      { type: 'row_count_reconciliation', key: 'event_id', events: ['order_placed', 'order_returned'] },
      { type: 'row_count_reconciliation', key: 'event_id', raw_key: 'id', name: 'by_id' },
    ];
    files.set(FILE, JSON.stringify(sales));
    const shop = JSON.parse(files.get('athena-scripts/raw_tables/shop.json') ?? '{}');
    shop.partition_columns = [{ name: 'dt', type: 'string' }];
    files.set('athena-scripts/raw_tables/shop.json', JSON.stringify(shop));

    // Act
    const { project } = parseProject(files);
    const problems = checkQualityDeclarations(project).map(formatProblem);

    // Assess
    assert.deepEqual(problems, [
      `${FILE}: checks[0].events[0]: raw table order_placed (athena-scripts/raw_tables/shop.json) is not partitioned by year, month and day, so its window cannot be read`,
      `${FILE}: checks[0].events[1]: event "order_returned" is not an event of family "sales"`,
      `${FILE}: checks[1].raw_key: raw table order_placed (athena-scripts/raw_tables/shop.json) has no column "id"`,
      `${FILE}: checks[1]: raw table order_placed (athena-scripts/raw_tables/shop.json) is not partitioned by year, month and day, so its window cannot be read`,
    ]);
  });

  test('two checks with the same name are reported on the second', () => {
    // Act
    const problems = problemsWith([
      { type: 'unique', columns: ['event_id'] },
      { type: 'unique', columns: ['event_id'], severity: 'warn' },
    ]);

    // Assess
    assert.deepEqual(problems, [
      `${FILE}: checks[1].name: check name "unique_event_id" is also used by checks[0]; give one of them a "name"`,
    ]);
  });

  test('an expression problem is reported at the expression', () => {
    // Act
    const problems = problemsWith([{ type: 'expression', name: 'typo', expression: 'amout > 0' }]);

    // Assess
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] ?? '',
      /^athena-scripts\/stage_tables\/sales\.json: checks\[0\]\.expression: unknown column "amout"/,
    );
  });
});

describe('expressionProblems', () => {
  test('accepts functions, casts, struct fields, lambdas, quoted columns and keywords', () => {
    // Act
    const problems = expressionProblems(
      `"user".user_id is not null and cast(amount as varchar) <> '' and any_match(tags, t -> t like 'x%')
       and event_at <= current_timestamp and event_at > timestamp '2020-01-01 00:00:00' and "event_id" is not null`,
      SALES_COLUMNS,
    );

    // Assess
    assert.deepEqual(problems, []);
  });

  test('rejects what could change the shape of the query it is spliced into', () => {
    // Act
    const cases = {
      union: expressionProblems('1 = 1) union select 1 from other where (1 = 1', SALES_COLUMNS),
      subquery: expressionProblems('amount > (select max(amount) from other)', SALES_COLUMNS),
      comment: expressionProblems('amount > 0 -- )', SALES_COLUMNS),
      statements: expressionProblems('amount > 0; drop table x', SALES_COLUMNS),
      parameter: expressionProblems('amount > ?', SALES_COLUMNS),
    };

    // Assess
    assert.deepEqual(cases, {
      union: [
        'expected balanced parentheses: the expression must be one expression',
        'expected an expression over the row, not a subquery',
      ],
      subquery: ['expected an expression over the row, not a subquery'],
      comment: ['expected no comments in the expression'],
      statements: ['expected one expression, not statements separated by ";"'],
      parameter: ['expected no "?" parameter: nothing is bound to it'],
    });
  });

  test('allows only columns, literals, operators and listed functions: each attack is named and refused', () => {
    // Act: what a careless or hostile check could splice into the check query
    const cases = {
      // A table named like one of the checked table's columns passes the column check: the whitelist refuses it.
      exists: expressionProblems('exists (table "user")', SALES_COLUMNS),
      otherTable: expressionProblems('amount in (table tags)', SALES_COLUMNS),
      values: expressionProblems('amount in (values 1, 2)', SALES_COLUMNS),
      unlisted: expressionProblems('amount > 0 and length(json_format(cast("user" as json))) < 99', SALES_COLUMNS),
      system: expressionProblems("current_user = 'admin'", SALES_COLUMNS),
    };

    // Assess
    assert.deepEqual(cases, {
      exists: [
        'expected only columns, literals, operators and functions: EXISTS is not allowed',
        'expected only columns, literals, operators and functions: TABLE is not allowed',
      ],
      otherTable: ['expected only columns, literals, operators and functions: TABLE is not allowed'],
      values: ['expected only columns, literals, operators and functions: VALUES is not allowed'],
      unlisted: ['function json_format is not one a check may call (allowed: see the README)'],
      system: ['expected only columns, literals, operators and functions: CURRENT_USER is not allowed'],
    });
  });

  test('reports unknown columns and Trino syntax errors with a position inside the expression', () => {
    // Act
    const unknown = expressionProblems('amount > 0 and sold_at < event_at', SALES_COLUMNS);
    const syntax = expressionProblems('amount > > 0', SALES_COLUMNS);

    // Assess
    assert.deepEqual(unknown, ['unknown column "sold_at" (expected one of event_id, amount, event_at, user, tags)']);
    assert.equal(syntax.length, 1);
    assert.match(syntax[0] ?? '', /^does not parse as a Trino expression \(line 1, column \d+\): /);
  });
});
