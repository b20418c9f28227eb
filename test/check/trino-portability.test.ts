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
      "select format('%e', a)": '"%e" is not one the local engine formats',
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
    assert.deepEqual(
      constructs("select word_stem(x), combinations(a, n), format_number(n), json_query(j, 'lax $.a')"),
      ['word_stem', 'combinations', 'format_number', 'json_query'],
    );
  });

  test('functions the local engine now implements are not flagged (issue 17)', () => {
    const sql =
      "select regexp_position(x, 'a'), parse_duration('5m'), split(x, ',', 2), strpos(x, '/', -1), luhn_check(x), parse_datetime(x, 'yyyy-MM-dd HH:mm'), " +
      "zip_with(a, b, (x, y) -> x + y), array_sort(a, (x, y) -> IF(x < y, 1, -1)), combinations(a, 2), with_timezone(ts, 'UTC'), format('%05d|%-7s|%,.2f', n, s, f), " +
      "from_iso8601_date('2020-W10'), date_format(d, '%x %v'), json_array(1, null), json_object('a' : 1 ABSENT ON NULL)";
    assert.deepEqual(constructs(sql), []);
  });

  test('flags values whose time zone the local engine loses, with line and column', () => {
    // Act
    const issues = findPortabilityIssues(
      "select TIMESTAMP '2001-08-22 03:04:05.321 +07:09',\n  from_iso8601_timestamp('2001-08-22T03:04:05.321-11:00'), from_unixtime(7200, 'Asia/Shanghai')",
    );
    // Assess
    assert.deepEqual(
      issues.map(({ line, column, construct }) => ({ line, column, construct })),
      [
        { line: 1, column: 8, construct: 'TIMESTAMP literal with a time zone' },
        { line: 2, column: 26, construct: 'from_iso8601_timestamp with an offset' },
        { line: 2, column: 60, construct: 'from_unixtime with a time zone' },
      ],
    );
    assert.ok(issues[0]?.message.includes('DuckDB keeps no zone'));
  });

  test('UTC values keep their zone locally and are not flagged', () => {
    const sql =
      "select TIMESTAMP '2012-10-31 01:00 UTC', TIMESTAMP '2001-01-22', from_iso8601_timestamp('2020-05-11T11:15:05.055Z'), from_unixtime(1)";
    assert.deepEqual(constructs(sql), []);
  });

  test('flags constructs whose local value would differ (issue 17)', () => {
    const flagged: Record<string, string> = {
      "select with_timezone(ts, 'Asia/Shanghai')": 'with_timezone',
      "select json_object('a' : 1 RETURNING varchar)": 'json_object clause',
      "select length(CAST('hello' AS CHAR(20)))": 'CHAR(n)',
      "select normalize('x', NFD)": 'normalize NFD',
      "select from_utf8(b, '#')": 'from_utf8 with a replacement',
      "select concat_ws(',', 1, 15)": 'concat_ws with a number',
      "select hour(INTERVAL '27' HOUR)": 'hour of an interval',
      "select extract(day FROM INTERVAL '55' HOUR)": 'extract of an interval',
      "select CASE x WHEN > 100 THEN 'big' END": 'CASE ... WHEN <predicate>',
      "select regexp_replace(x, 'x', '$1')": 'regexp_replace replacement',
      "select regexp_replace(x, '(1)(2)(3)(4)(5)(6)(7)(8)(9)(0)', '$10')": 'regexp_replace replacement',
      "select regexp_extract(x, '\\b[a-z]([a-z]*)', 2)": 'regexp_extract group',
      "select parse_datetime(x, 'yyyy/MM/dd HH:mm Z')": 'parse_datetime time zone',
      "select at_timezone(ts, 'America/Los_Angeles')": 'at_timezone',
    };
    for (const [sql, construct] of Object.entries(flagged)) assert.deepEqual(constructs(sql), [construct], sql);
    assert.deepEqual(constructs("select regexp_replace(x, '(a)(b)', '$2$1'), normalize(x), normalize(x, NFC)"), []);
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
