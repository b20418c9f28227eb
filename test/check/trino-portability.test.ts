import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findPortabilityIssues } from '../../lib/check/trino-portability.ts';
import { tokenizeSql } from '../../lib/core/sql/trino-tokens.ts';

const constructs = (sql: string): string[] => findPortabilityIssues(sql).map((issue) => issue.construct);

describe('findPortabilityIssues', () => {
  test('portable transform SQL has no issues', () => {
    // Prepare
    const sql = `-- one row per event_id
insert into stage.events
select event_id, date_diff('day', a, b), regexp_replace(name, '(\\w+)', '$1'),
       date_format(event_at, '%Y-%m-%d'), json_extract_scalar(payload, '$.user.id')
from raw.events
cross join unnest(tags) with ordinality as t(tag, position)
where event_at > ? and event_at <= ?`;
    // Act
    const issues = findPortabilityIssues(sql);
    // Assess
    assert.deepEqual(issues, []);
  });

  test('reports line and column of the construct, 1-based', () => {
    const sql = "select 1;\nselect\n  regexp_like(x, '(?<=a)b')";
    assert.deepEqual(findPortabilityIssues(sql), [
      {
        line: 3,
        column: 18,
        construct: 'regexp_like lookbehind',
        message: "the pattern uses a Java regex lookbehind, which DuckDB's RE2 engine does not support",
      },
    ]);
  });

  test('format() with a constant Java format the local engine reproduces is portable; any other is flagged', () => {
    // Act
    const portable = ["select format('%s-%d', a, b)", "select format('%2$s %1$s %%', a, b)", "select format('%,d', n)"];
    const flagged = {
      'select format(fmt, a)': 'only a constant one',
      "select format('%5s', a)": '"%5s" is not one the local engine formats',
      "select format('%s %s', a)": 'uses 2 argument(s), the call passes 1',
      "select format('%tY', d)": '"%t" is not one',
    };

    // Assess
    for (const sql of portable) assert.deepEqual(findPortabilityIssues(sql), [], sql);
    for (const [sql, reason] of Object.entries(flagged)) {
      const issues = findPortabilityIssues(sql);
      assert.equal(issues.length, 1, sql);
      assert.ok(issues[0]?.message.includes(reason), `${sql}: ${issues[0]?.message}`);
    }
  });

  test('flags Java-only regex features', () => {
    assert.deepEqual(constructs("select regexp_extract(x, 'a(?=b)')"), ['regexp_extract lookahead']);
    assert.deepEqual(constructs("select regexp_replace(x, 'a++', '')"), ['regexp_replace possessive quantifier']);
    assert.deepEqual(constructs("select regexp_like(x, '(a)\\1')"), ['regexp_like backreference inside the pattern']);
    assert.deepEqual(constructs("select regexp_like(x, '(?>a)')"), ['regexp_like atomic group']);
  });

  test('flags Athena-only statements at the start of a statement', () => {
    const sql = "UNLOAD (select 1) TO 's3://b/' WITH (format = 'PARQUET');\nMSCK REPAIR TABLE raw.events";
    const issues = findPortabilityIssues(sql);
    assert.deepEqual(
      issues.map(({ line, column, construct }) => ({ line, column, construct })),
      [
        { line: 1, column: 1, construct: 'UNLOAD' },
        { line: 2, column: 1, construct: 'MSCK' },
      ],
    );
  });

  test('flags CTAS with table properties', () => {
    const sql = "create table stage.x with (format = 'PARQUET', partitioned_by = ARRAY['dt']) as select 1";
    assert.deepEqual(constructs(sql), ['CREATE TABLE ... WITH (...)']);
    assert.deepEqual(constructs('create table stage.x as select 1'), []);
  });

  test('flags date_parse with a computed format and unsupported specifiers', () => {
    assert.deepEqual(constructs('select date_parse(x, fmt)'), ['date_parse non-constant format']);
    assert.deepEqual(constructs("select date_format(x, '%U')"), ['date_format format specifier']);
    assert.deepEqual(constructs("select date_parse(x, '%Y-%m-%d')"), []);
  });

  test('flags format_datetime patterns it cannot translate', () => {
    assert.deepEqual(constructs("select format_datetime(x, 'yyyy-MM-dd')"), []);
    assert.deepEqual(constructs("select format_datetime(x, 'xxxx')"), ['format_datetime pattern']);
    assert.deepEqual(constructs('select format_datetime(x, p)'), ['format_datetime non-constant format']);
  });

  test('flags functions with no matching local implementation', () => {
    assert.deepEqual(constructs("select regexp_position(x, 'a'), parse_duration('5m'), split(x, ',', 2)"), [
      'regexp_position',
      'parse_duration',
      'split with limit',
    ]);
  });

  test('flags AT TIME ZONE', () => {
    assert.deepEqual(constructs("select ts at time zone 'UTC'"), ['AT TIME ZONE']);
  });

  test('never looks inside strings, quoted identifiers or comments', () => {
    const sql = `select 'UNLOAD regexp_like(x, ''(?<=a)'')' as "msck", -- regexp_position(x)\n /* at time zone */ 1`;
    assert.deepEqual(findPortabilityIssues(sql), []);
  });
});

describe('tokenizeSql', () => {
  test('joining the tokens gives the input back', () => {
    const sql = 'select \'it\'\'s\', "a""b", x->x+1, 1.5e3, ? -- c\n/* d */ from t;';
    assert.equal(
      tokenizeSql(sql)
        .map((token) => token.text)
        .join(''),
      sql,
    );
  });

  test('keeps strings, quoted identifiers and comments whole', () => {
    const kinds = tokenizeSql("'a''b' \"c\" -- d\n/* e */")
      .filter((token) => token.kind !== 'whitespace')
      .map((token) => [token.kind, token.text]);
    assert.deepEqual(kinds, [
      ['string', "'a''b'"],
      ['quoted-identifier', '"c"'],
      ['comment', '-- d'],
      ['comment', '/* e */'],
    ]);
  });
});
